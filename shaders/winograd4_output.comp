#version 450
// winograd4_output: the output transform of Winograd F(4x4, 3x3): from the
// batched GEMM's products M[(f*O + o)*TP + t] (conv_winograd.go), the 4x4
// outputs A^T m A of tile t = (i*TH + ty)*TW + tx, with A^T's rows
// (1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0), (0, 1, 1, 4, 4, 0),
// (0, 1, -1, 8, -8, 1), plus bias[o] when HAS_BIAS, written to
// y[YOFF + ((i*O + o)*OH + 4*ty + a)*OW + 4*tx + b] where they lie inside
// the OH x OW output. TP is the tile count rounded up to a multiple of 4
// (tiles past NI*TH*TW are dropped).
//
// As winograd_output: each invocation reads 36 vec4s (4 consecutive tiles
// of one channel, one vec4 per frequency) and writes the tiles' 64
// outputs. 1-D over O * TP/4 invocations (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint O = 1;
layout(constant_id = 4) const uint OH = 1;
layout(constant_id = 5) const uint OW = 1;
layout(constant_id = 6) const uint TH = 1;
layout(constant_id = 7) const uint TW = 1;
layout(constant_id = 8) const bool HAS_BIAS = false;

layout(std430, set = 0, binding = 0) readonly buffer M { vec4 m[]; };
layout(std430, set = 0, binding = 1) readonly buffer Bias { float bias[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y2 { vec2 y2[]; };

// With OW a multiple of 4, a tile's output rows start at multiples of 4
// (YOFF is a whole number of images), so a whole row goes out as one vec4:
// 16 stores per invocation instead of 64; with OW even, as two vec2s (the
// second dropped past the right edge, OW - ox being even).
const bool ROW_VEC4 = OW % 4u == 0u;
const bool ROW_VEC2 = OW % 2u == 0u;
layout(push_constant) uniform P {
    uint NI, YOFF, TP;
} p;

// at is A^T applied to 6 values.
void at(vec4 m0, vec4 m1, vec4 m2, vec4 m3, vec4 m4, vec4 m5, out vec4 r[4]) {
    const vec4 s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
    r[0] = m0 + s12 + s34;
    r[1] = d12 + 2.0 * d34;
    r[2] = s12 + 4.0 * s34;
    r[3] = d12 + 8.0 * d34 + m5;
}

void main() {
    const uint id = flat_id();
    const uint q4 = p.TP / 4;
    if (id >= O * q4) return;
    const uint o = id / q4, t0 = 4 * (id % q4);
    const uint src = (o * p.TP + t0) / 4, plane = O * p.TP / 4;
    // A^T m, column by column.
    vec4 s[4][6];
    for (uint b = 0; b < 6; b++) {
        vec4 r[4];
        at(m[src + b * plane], m[src + (6 + b) * plane], m[src + (12 + b) * plane],
           m[src + (18 + b) * plane], m[src + (24 + b) * plane], m[src + (30 + b) * plane], r);
        for (uint a = 0; a < 4; a++) s[a][b] = r[a];
    }
    // (A^T m) A row by row, each row stored as it is made: holding all 16
    // output vec4s as well as s spilled on lavapipe.
    const float bo = HAS_BIAS ? bias[o] : 0.0;
    const uint T = p.NI * TH * TW;
    for (uint a = 0; a < 4; a++) {
        vec4 r[4];
        at(s[a][0], s[a][1], s[a][2], s[a][3], s[a][4], s[a][5], r);
        for (uint j = 0; j < 4; j++) {
            const uint t = t0 + j;
            const uint i = t / (TH * TW), rt = t % (TH * TW);
            const uint oy = 4 * (rt / TW) + a, ox = 4 * (rt % TW);
            if (t >= T || oy >= OH) continue;
            const uint base = p.YOFF + ((i * O + o) * OH + oy) * OW + ox;
            if (ROW_VEC4) {
                y4[base / 4] = vec4(r[0][j], r[1][j], r[2][j], r[3][j]) + bo;
                continue;
            }
            if (ROW_VEC2) {
                y2[base / 2] = vec2(r[0][j], r[1][j]) + bo;
                if (ox + 2 < OW) y2[base / 2 + 1] = vec2(r[2][j], r[3][j]) + bo;
                continue;
            }
            for (uint b = 0; b < 4; b++)
                if (ox + b < OW) y[base + b] = r[b][j] + bo;
        }
    }
}
