// im2col: unfolds the convolution windows of NI images of x[.., C, H, W]
// (starting at element XOFF) into columns for a GEMM:
//   cols[i*IS + (c*KH*KW + ky*KW + kx)*RS + oy*OW + ox]
//     = x[XOFF + ((i*C + c)*H + oy*SH - PH + ky)*W + ox*SW - PW + kx]
// or 0 outside the image. With FLIP the row of kernel position k holds the
// value of position KH*KW-1-k (the data gradient's flipped kernel). RS is
// the stride of a row, IS that of an image: (OH*OW, C*KH*KW*OH*OW) gives
// one [C*KH*KW, OH*OW] matrix per image (the forward GEMM's B), (NI*OH*OW,
// OH*OW) one [C*KH*KW, NI*OH*OW] matrix for the chunk (the filter
// gradient's B^T).
//
// Each invocation covers 4 consecutive columns ox of one output row oy of
// one channel and image: it loads the KH x (3*SW+KW) input window once
// (clamped indices and a select, so no lane branches around a load) and
// writes KH*KW rows of 4, as vec4 when VEC (the host's promise that OW, RS
// and IS are multiples of 4). The sizes are specialization constants, so
// the index arithmetic has no run-time divisions (lavapipe scalarizes
// them). 1-D over NI*C*OH*ceil(OW/4) invocations (flat_id).
//
// Included by im2col.comp and by im2col_w64.comp (STORE64: each vec4 is
// written as two 64-bit words, half the stores; lavapipe stores one lane
// and word at a time, and im2col writes KH*KW times what it reads).
#ifdef STORE64
#extension GL_ARB_gpu_shader_int64 : require
#endif
#include "common.glsl"

layout(constant_id = 3) const uint KH = 3;
layout(constant_id = 4) const uint KW = 3;
layout(constant_id = 5) const uint SH = 1;
layout(constant_id = 6) const uint SW = 1;
layout(constant_id = 7) const uint PH = 1;
layout(constant_id = 8) const uint PW = 1;
layout(constant_id = 9) const bool VEC = true;
layout(constant_id = 10) const bool FLIP = false;
layout(constant_id = 11) const uint C = 1;
layout(constant_id = 12) const uint H = 1;
layout(constant_id = 13) const uint W = 1;
layout(constant_id = 14) const uint OH = 1;
layout(constant_id = 15) const uint OW = 1;

const uint KK = KH * KW;
const uint NQ = (OW + 3) / 4;  // column blocks per output row
const uint SPAN = 3 * SW + KW; // input columns of a block

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer C1 { float cols[]; };
layout(std430, set = 0, binding = 1) writeonly buffer C4 { vec4 cols4[]; };
#ifdef STORE64
layout(std430, set = 0, binding = 1) writeonly buffer C8 { u64vec2 cols8[]; };
#endif

// store4 writes the vec4 at float offset o (a multiple of 4).
void store4(uint o, vec4 v) {
#ifdef STORE64
    const uvec4 u = floatBitsToUint(v);
    cols8[o / 4] = u64vec2(packUint2x32(u.xy), packUint2x32(u.zw));
#else
    cols4[o / 4] = v;
#endif
}
layout(push_constant) uniform P {
    uint NI, XOFF, RS, IS;
} p;

void main() {
    const uint id = flat_id();
    if (id >= p.NI * C * OH * NQ) return;
    const uint q = id % NQ, t = id / NQ;
    const uint oy = t % OH, t2 = t / OH;
    const uint c = t2 % C, i = t2 / C;
    const uint ox0 = 4 * q;
    const uint xb = p.XOFF + (i * C + c) * H * W;
    const int iy0 = int(oy * SH) - int(PH), ix0 = int(ox0 * SW) - int(PW);
    float win[KH][SPAN];
    for (uint ky = 0; ky < KH; ky++) {
        const int iy = iy0 + int(ky);
        const bool rowIn = iy >= 0 && iy < int(H);
        const uint rb = xb + uint(clamp(iy, 0, int(H) - 1)) * W;
        for (uint u = 0; u < SPAN; u++) {
            const int ix = ix0 + int(u);
            const float e = x[rb + uint(clamp(ix, 0, int(W) - 1))];
            win[ky][u] = rowIn && ix >= 0 && ix < int(W) ? e : 0.0;
        }
    }
    const uint ob = i * p.IS + c * KK * p.RS + oy * OW + ox0;
    for (uint ky = 0; ky < KH; ky++)
        for (uint kx = 0; kx < KW; kx++) {
            const uint k = FLIP ? KK - 1 - (ky * KW + kx) : ky * KW + kx;
            const uint o = ob + k * p.RS;
            if (VEC) {
                store4(o, vec4(win[ky][kx], win[ky][SW + kx], win[ky][2 * SW + kx], win[ky][3 * SW + kx]));
            } else {
                for (uint j = 0; j < 4; j++)
                    if (ox0 + j < OW) cols[o + j] = win[ky][j * SW + kx];
            }
        }
}
