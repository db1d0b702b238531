#version 450
// winograd_output: the output transform of Winograd F(2x2, 3x3): from the
// batched GEMM's products M[(f*O + o)*TP + t] (conv_winograd.go), the 2x2
// outputs A^T m A of tile t = (i*TH + ty)*TW + tx, plus bias[o] when
// HAS_BIAS, written to y[YOFF + ((i*O + o)*OH + 2*ty + a)*OW + 2*tx + b]
// where they lie inside the OH x OW output. TP is the tile count rounded
// up to a multiple of 4 (tiles past NI*TH*TW are dropped).
//
// Each invocation reads 16 vec4s (4 consecutive tiles of one channel, one
// vec4 per frequency) and writes the tiles' 16 outputs. 1-D over O * TP/4
// invocations (flat_id).
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
layout(push_constant) uniform P {
    uint NI, YOFF, TP;
} p;

void main() {
    const uint id = flat_id();
    const uint q4 = p.TP / 4;
    if (id >= O * q4) return;
    const uint o = id / q4, t0 = 4 * (id % q4);
    const uint src = (o * p.TP + t0) / 4, plane = O * p.TP / 4;
    // A^T m: rows (m0 + m1 + m2, m1 - m2 - m3), per column.
    vec4 s[2][4];
    for (uint b = 0; b < 4; b++) {
        const vec4 m0 = m[src + b * plane], m1 = m[src + (4 + b) * plane];
        const vec4 m2 = m[src + (8 + b) * plane], m3 = m[src + (12 + b) * plane];
        s[0][b] = m0 + m1 + m2;
        s[1][b] = m1 - m2 - m3;
    }
    const float bo = HAS_BIAS ? bias[o] : 0.0;
    vec4 r[2][2];
    for (uint a = 0; a < 2; a++) {
        r[a][0] = s[a][0] + s[a][1] + s[a][2] + bo;
        r[a][1] = s[a][1] - s[a][2] - s[a][3] + bo;
    }
    const uint T = p.NI * TH * TW;
    for (uint j = 0; j < 4; j++) {
        const uint t = t0 + j;
        if (t >= T) return;
        const uint i = t / (TH * TW), rt = t % (TH * TW);
        const uint oy = 2 * (rt / TW), ox = 2 * (rt % TW);
        const uint base = p.YOFF + ((i * O + o) * OH + oy) * OW + ox;
        for (uint a = 0; a < 2; a++)
            for (uint b = 0; b < 2; b++)
                if (oy + a < OH && ox + b < OW) y[base + a * OW + b] = r[a][b][j];
    }
}
