#version 450
// winograd4_gy: the output-gradient transform of the filter gradient of
// Winograd F(4x4, 3x3). The forward convolution's outputs are A^T M A per
// tile (winograd4_output), so the gradient of a tile's products is
//   dM = A gy A^T
// for the tile's 4x4 block of the output gradient gy (zeros outside the
// OH x OW output), with A^T's rows (1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0),
// (0, 1, 1, 4, 4, 0), (0, 1, -1, 8, -8, 1). For NI images of
// gy[.., M, OH, OW] (from element YOFF):
//   D[(f*M + m)*TP + t] = dM[f / 6][f % 6]
// for tile t = (i*TH + ty)*TW + tx; the columns past the NI*TH*TW tiles, up
// to TP (a multiple of 4), are zeros, so they add nothing to the filter
// gradient's sums (conv_winograd.go).
//
// As winograd4_input: each invocation transforms 4 consecutive tiles of one
// channel, in the vec4's components, and writes 36 vec4s; a block row is
// one vec4 load when OW is a multiple of 4. 1-D over M * TP/4 invocations
// (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint M = 1;
layout(constant_id = 4) const uint OH = 1;
layout(constant_id = 5) const uint OW = 1;
layout(constant_id = 6) const uint TH = 1; // tile rows: ceil(OH / 4)
layout(constant_id = 7) const uint TW = 1; // tile columns: ceil(OW / 4)

layout(std430, set = 0, binding = 0) readonly buffer GY { float gy[]; };
layout(std430, set = 0, binding = 0) readonly buffer GY4 { vec4 gy4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer D { vec4 d[]; };
layout(push_constant) uniform P {
    uint NI, YOFF, TP;
} p;

const bool ROW_VEC4 = OW % 4u == 0u;

// a is A applied to 4 values (a block row or column), giving 6.
void a(vec4 y0, vec4 y1, vec4 y2, vec4 y3, out vec4 r[6]) {
    const vec4 s02 = y0 + y2, d02 = y0 - y2;
    r[0] = y0;
    r[1] = s02 + y1 + y3;
    r[2] = s02 - y1 - y3;
    r[3] = y0 + 2.0 * y1 + 4.0 * y2 + 8.0 * y3;
    r[4] = y0 - 2.0 * y1 + 4.0 * y2 - 8.0 * y3;
    r[5] = y3;
}

void main() {
    const uint id = flat_id();
    const uint q4 = p.TP / 4;
    if (id >= M * q4) return;
    const uint m = id / q4, t0 = 4 * (id % q4);
    const uint T = p.NI * TH * TW;
    uint oy0[4], ox0[4], base[4];
    bool live[4];
    for (uint j = 0; j < 4; j++) {
        const uint t = min(t0 + j, T - 1);
        const uint i = t / (TH * TW), r = t % (TH * TW);
        oy0[j] = 4 * (r / TW);
        ox0[j] = 4 * (r % TW);
        base[j] = p.YOFF + (i * M + m) * OH * OW;
        live[j] = t0 + j < T;
    }
    // gy A^T, row by row: s[a] holds block row a's 6 transformed values.
    vec4 s[4][6];
    for (uint r = 0; r < 4; r++) {
        vec4 y[4];
        for (uint j = 0; j < 4; j++) {
            const uint oy = oy0[j] + r;
            const bool rowIn = live[j] && oy < OH;
            const uint rb = base[j] + min(oy, OH - 1) * OW;
            if (ROW_VEC4) {
                const vec4 v = rowIn ? gy4[(rb + ox0[j]) / 4] : vec4(0.0);
                for (uint b = 0; b < 4; b++) y[b][j] = v[b];
            } else {
                for (uint b = 0; b < 4; b++) {
                    const uint ox = ox0[j] + b;
                    const float e = gy[rb + min(ox, OW - 1)];
                    y[b][j] = rowIn && ox < OW ? e : 0.0;
                }
            }
        }
        a(y[0], y[1], y[2], y[3], s[r]);
    }
    // A (gy A^T), column by column, stored as it is made.
    const uint o = (m * p.TP + t0) / 4, plane = M * p.TP / 4;
    for (uint b = 0; b < 6; b++) {
        vec4 r[6];
        a(s[0][b], s[1][b], s[2][b], s[3][b], r);
        for (uint f = 0; f < 6; f++) d[o + (6 * f + b) * plane] = r[f];
    }
}
