#version 450
// winograd4_input: the input transform of Winograd F(4x4, 3x3) for a 3x3,
// stride-1 convolution of NI images of x[.., C, H, W] (from element XOFF)
// with padding (PH, PW):
//   V[(f*C + c)*TP + t] = (B^T d B)[f / 6][f % 6]
// for tile t = (i*TH + ty)*TW + tx, whose 6x6 input window d starts at row
// 4*ty - PH and column 4*tx - PW (zeros outside the image), with B^T's rows
// (4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0),
// (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1) (Lavin and
// Gray, 2016). Per frequency f the values form the [C, TP] B matrix of one
// product of the batched GEMM (conv_winograd.go); TP is the tile count
// rounded up to a multiple of 4, the columns past it repeating the last tile.
//
// As winograd_input: each invocation transforms 4 consecutive tiles of one
// channel, in the vec4's components, and writes 36 vec4s. Each window row
// is transformed as it is loaded, so 36 vec4s are live, not 72. 1-D over
// C * TP/4 invocations (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint C = 1;
layout(constant_id = 4) const uint H = 1;
layout(constant_id = 5) const uint W = 1;
layout(constant_id = 6) const uint PH = 1;
layout(constant_id = 7) const uint PW = 1;
layout(constant_id = 8) const uint TH = 1; // tile rows: ceil(OH / 4)
layout(constant_id = 9) const uint TW = 1; // tile columns: ceil(OW / 4)

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer V { vec4 v[]; };
layout(push_constant) uniform P {
    uint NI, XOFF, TP;
} p;

// With W a multiple of 4 (XOFF a whole number of images) and PW 1, the
// U-Net's case, window row b = 0..5 is columns 4*tx - 1 .. 4*tx + 4: one
// aligned vec4 and two scalars instead of six clamped scalar loads.
const bool ROW_VEC4 = W % 4u == 0u && PW == 1u;

// bt is B^T applied to 6 values.
void bt(vec4 d0, vec4 d1, vec4 d2, vec4 d3, vec4 d4, vec4 d5, out vec4 r[6]) {
    r[0] = 4.0 * d0 - 5.0 * d2 + d4;
    r[1] = d3 + d4 - 4.0 * (d1 + d2);
    r[2] = d4 - d3 + 4.0 * (d1 - d2);
    r[3] = d4 - d2 + 2.0 * (d3 - d1);
    r[4] = d4 - d2 + 2.0 * (d1 - d3);
    r[5] = 4.0 * d1 - 5.0 * d3 + d5;
}

void main() {
    const uint id = flat_id();
    const uint q4 = p.TP / 4;
    if (id >= C * q4) return;
    const uint c = id / q4, t0 = 4 * (id % q4);
    const uint T = p.NI * TH * TW;
    // Each tile's window origin and plane.
    int iy0[4], ix0[4];
    uint base[4];
    for (uint j = 0; j < 4; j++) {
        const uint t = min(t0 + j, T - 1);
        const uint i = t / (TH * TW), r = t % (TH * TW);
        iy0[j] = int(4 * (r / TW)) - int(PH);
        ix0[j] = int(4 * (r % TW)) - int(PW);
        base[j] = p.XOFF + (i * C + c) * H * W;
    }
    // d B, row by row: t[a] holds window row a's 6 transformed values.
    vec4 t[6][6];
    for (uint a = 0; a < 6; a++) {
        vec4 d[6];
        for (uint j = 0; j < 4; j++) {
            const int iy = iy0[j] + int(a);
            const bool rowIn = iy >= 0 && iy < int(H);
            const uint rb = base[j] + uint(clamp(iy, 0, int(H) - 1)) * W;
            if (ROW_VEC4) {
                // ix0 = 4*tx - 1, so 4*tx + 4 <= W and the vec4 is inside the row.
                const vec4 mid = x4[(rb + uint(ix0[j] + 1)) / 4];
                const float left = x[rb + uint(max(ix0[j], 0))];
                const float right = x[rb + uint(min(ix0[j] + 5, int(W) - 1))];
                d[0][j] = rowIn && ix0[j] >= 0 ? left : 0.0;
                for (uint b = 0; b < 4; b++) d[b + 1][j] = rowIn ? mid[b] : 0.0;
                d[5][j] = rowIn && ix0[j] + 5 < int(W) ? right : 0.0;
                continue;
            }
            for (uint b = 0; b < 6; b++) {
                const int ix = ix0[j] + int(b);
                const float e = x[rb + uint(clamp(ix, 0, int(W) - 1))];
                d[b][j] = rowIn && ix >= 0 && ix < int(W) ? e : 0.0;
            }
        }
        bt(d[0], d[1], d[2], d[3], d[4], d[5], t[a]);
    }
    // B^T (d B), column by column, stored as it is made.
    const uint o = (c * p.TP + t0) / 4, plane = C * p.TP / 4;
    for (uint b = 0; b < 6; b++) {
        vec4 r[6];
        bt(t[0][b], t[1][b], t[2][b], t[3][b], t[4][b], t[5][b], r);
        for (uint a = 0; a < 6; a++) v[o + (6 * a + b) * plane] = r[a];
    }
}
