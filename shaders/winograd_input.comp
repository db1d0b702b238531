#version 450
// winograd_input: the input transform of Winograd F(2x2, 3x3) for a 3x3,
// stride-1 convolution of NI images of x[.., C, H, W] (from element XOFF)
// with padding (PH, PW):
//   V[(f*C + c)*TP + t] = (B^T d B)[f / 4][f % 4]
// for tile t = (i*TH + ty)*TW + tx, whose 4x4 input window d starts at row
// 2*ty - PH and column 2*tx - PW (zeros outside the image). Per frequency f
// the values form the [C, TP] B matrix of one product of the batched GEMM
// (conv_winograd.go). TP is the tile count rounded up to a multiple of 4;
// the columns past it repeat the last tile (computed, never stored).
//
// Each invocation transforms 4 consecutive tiles of one channel, with the
// tiles in the vec4's components, and writes 16 vec4s: lavapipe stores a
// vec4 at once, and a scattered scalar store costs one operation per lane.
// The sizes are specialization constants, so the index arithmetic has no
// run-time divisions. 1-D over C * TP/4 invocations (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint C = 1;
layout(constant_id = 4) const uint H = 1;
layout(constant_id = 5) const uint W = 1;
layout(constant_id = 6) const uint PH = 1;
layout(constant_id = 7) const uint PW = 1;
layout(constant_id = 8) const uint TH = 1; // tile rows: ceil(OH / 2)
layout(constant_id = 9) const uint TW = 1; // tile columns: ceil(OW / 2)

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer V { vec4 v[]; };
layout(push_constant) uniform P {
    uint NI, XOFF, TP;
} p;

void main() {
    const uint id = flat_id();
    const uint q4 = p.TP / 4;
    if (id >= C * q4) return;
    const uint c = id / q4, t0 = 4 * (id % q4);
    const uint T = p.NI * TH * TW;
    vec4 d[4][4];
    for (uint j = 0; j < 4; j++) {
        const uint t = min(t0 + j, T - 1);
        const uint i = t / (TH * TW), r = t % (TH * TW);
        const int iy0 = int(2 * (r / TW)) - int(PH), ix0 = int(2 * (r % TW)) - int(PW);
        const uint base = p.XOFF + (i * C + c) * H * W;
        for (uint a = 0; a < 4; a++) {
            const int iy = iy0 + int(a);
            const bool rowIn = iy >= 0 && iy < int(H);
            const uint rb = base + uint(clamp(iy, 0, int(H) - 1)) * W;
            for (uint b = 0; b < 4; b++) {
                const int ix = ix0 + int(b);
                const float e = x[rb + uint(clamp(ix, 0, int(W) - 1))];
                d[a][b][j] = rowIn && ix >= 0 && ix < int(W) ? e : 0.0;
            }
        }
    }
    // B^T d: rows (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
    vec4 s[4][4];
    for (uint b = 0; b < 4; b++) {
        s[0][b] = d[0][b] - d[2][b];
        s[1][b] = d[1][b] + d[2][b];
        s[2][b] = d[2][b] - d[1][b];
        s[3][b] = d[1][b] - d[3][b];
    }
    // (B^T d) B: the same on the columns.
    const uint o = (c * p.TP + t0) / 4, plane = C * p.TP / 4;
    for (uint a = 0; a < 4; a++) {
        v[o + (4 * a + 0) * plane] = s[a][0] - s[a][2];
        v[o + (4 * a + 1) * plane] = s[a][1] + s[a][2];
        v[o + (4 * a + 2) * plane] = s[a][2] - s[a][1];
        v[o + (4 * a + 3) * plane] = s[a][1] - s[a][3];
    }
}
