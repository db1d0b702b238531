#version 450
// conv2d_reg: 2-D convolution (cross-correlation, NCHW, zero padding) as an
// implicit GEMM for CPU-type devices: no shared memory and no barriers.
// Y[n][m][oh][ow] = sum_{c,kh,kw} Wt(m, c, kh, kw) * X[n][c][oh*SH-PH+kh][ow*SW-PW+kw]
// (GEMM view: M = output channels, N = n*OH*OW, K = CI*KH*KW, with the B
// operand gathered from X on the fly). Each invocation keeps TM output
// channels x TH rows x TW columns of Y in registers; per input channel it
// loads the input window of its tile once ((TH-1)*SH+KH rows, as vec4 loads
// when VEC) and reuses every value KH*KW*TM times. The channel block comes
// from the workgroup id, so the weight loads are uniform across the
// workgroup. With FLIP the weights are read as Wt(m, c, kh, kw) =
// W[c][m][KH-1-kh][KW-1-kw]: the data gradient of a stride-1 convolution is
// this convolution of the output gradient (padding K-1-P).
//
// VEC (host-checked): SW == 1, W % 4 == 0 and TW % 4 == 0, so every row of X
// starts on a vec4 and each vec4 of the window is wholly inside or outside.
// VECW (host-checked: !FLIP, CI % 4 == 0): four input channels per step,
// their weights read as vec4 (4*KH*KW contiguous floats per output channel).
// Grid: x covers the n * tiles pixel tiles (workgroups loop past the grid),
// y the channel blocks.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 16;
layout(constant_id = 4) const uint TH = 2;
layout(constant_id = 5) const uint TW = 4;
layout(constant_id = 6) const uint KH = 3;
layout(constant_id = 7) const uint KW = 3;
layout(constant_id = 8) const uint SH = 1;
layout(constant_id = 9) const uint SW = 1;
layout(constant_id = 10) const uint PH = 1;
layout(constant_id = 11) const uint PW = 1;
layout(constant_id = 12) const bool VEC = false;
layout(constant_id = 13) const bool FLIP = false;
layout(constant_id = 14) const bool BIAS = false;
layout(constant_id = 15) const bool VECW = false; // !FLIP, CI % 4 == 0: weights as vec4

const uint PWA = (PW + 3) / 4 * 4;        // PW rounded up to a vec4
const uint OFF = PWA - PW;                 // window column of iw = ow0*SW - PW
const uint ROWS = (TH - 1) * SH + KH;      // input rows of a tile
const uint SPAN = (TW - 1) * SW + KW;      // input columns of a tile
const uint NV = (OFF + SPAN + 3) / 4;      // vec4 per window row
const uint COLS = NV * 4;

layout(std430, set = 0, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer Wt { float wt[]; };
layout(std430, set = 0, binding = 1) readonly buffer Wt4 { vec4 wt4[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint N, CI, H, W;   // input
    uint M, OH, OW;     // output channels and size
} p;

void main() {
    const uint tilesW = (p.OW + TW - 1) / TW, tilesH = (p.OH + TH - 1) / TH;
    const uint tiles = tilesW * tilesH, total = p.N * tiles;
    const uint KHW = KH * KW, HW = p.H * p.W;
    for (uint mb = gl_WorkGroupID.y; mb * TM < p.M; mb += gl_NumWorkGroups.y) {
    const uint m0 = mb * TM;
    for (uint t = gl_GlobalInvocationID.x; t < total; t += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
        const uint n = t / tiles, r = t % tiles;
        const uint oh0 = (r / tilesW) * TH, ow0 = (r % tilesW) * TW;
        const int ih0 = int(oh0 * SH) - int(PH);
        const int iw0 = int(ow0 * SW) - int(PWA);

        float acc[TM][TH][TW];
        for (uint i = 0; i < TM; i++) {
            float b = BIAS ? bias[min(m0 + i, p.M - 1)] : 0.0;
            for (uint a = 0; a < TH; a++)
                for (uint q = 0; q < TW; q++) acc[i][a][q] = b;
        }
        if (VECW) {
            // Four input channels per step: the weights of one output channel
            // for them are 4*KH*KW contiguous floats, read as vec4.
            for (uint c = 0; c < p.CI; c += 4) {
                float win[4][ROWS][COLS];
                for (uint cc = 0; cc < 4; cc++) {
                    const uint xc = (n * p.CI + c + cc) * HW;
                    for (uint rr = 0; rr < ROWS; rr++) {
                        const int ih = ih0 + int(rr);
                        const bool rowIn = ih >= 0 && ih < int(p.H);
                        const uint rowBase = xc + uint(clamp(ih, 0, int(p.H) - 1)) * p.W;
                        for (uint j = 0; j < NV; j++) {
                            const int iw = iw0 + int(4 * j);
                            vec4 v = vec4(0.0);
                            if (rowIn && iw >= 0 && iw < int(p.W)) v = x4[(rowBase + uint(iw)) / 4];
                            win[cc][rr][4 * j + 0] = v.x;
                            win[cc][rr][4 * j + 1] = v.y;
                            win[cc][rr][4 * j + 2] = v.z;
                            win[cc][rr][4 * j + 3] = v.w;
                        }
                    }
                }
                for (uint i = 0; i < TM; i++) {
                    const uint wb = ((min(m0 + i, p.M - 1) * p.CI + c) * KHW) / 4;
                    float wv[4 * KHW];
                    for (uint v = 0; v < KHW; v++) {
                        const vec4 t4 = wt4[wb + v];
                        wv[4 * v + 0] = t4.x;
                        wv[4 * v + 1] = t4.y;
                        wv[4 * v + 2] = t4.z;
                        wv[4 * v + 3] = t4.w;
                    }
                    for (uint cc = 0; cc < 4; cc++)
                        for (uint kh = 0; kh < KH; kh++)
                            for (uint kw = 0; kw < KW; kw++) {
                                const float wk = wv[cc * KHW + kh * KW + kw];
                                for (uint a = 0; a < TH; a++)
                                    for (uint q = 0; q < TW; q++)
                                        acc[i][a][q] += wk * win[cc][a * SH + kh][OFF + q * SW + kw];
                            }
                }
            }
        } else
        for (uint c = 0; c < p.CI; c++) {
            const uint xc = (n * p.CI + c) * HW;
            float win[ROWS][COLS];
            for (uint rr = 0; rr < ROWS; rr++) {
                const int ih = ih0 + int(rr);
                const bool rowIn = ih >= 0 && ih < int(p.H);
                const uint rowBase = xc + uint(clamp(ih, 0, int(p.H) - 1)) * p.W;
                if (VEC) {
                    for (uint j = 0; j < NV; j++) {
                        const int iw = iw0 + int(4 * j);
                        vec4 v = vec4(0.0);
                        if (rowIn && iw >= 0 && iw < int(p.W)) v = x4[(rowBase + uint(iw)) / 4];
                        win[rr][4 * j + 0] = v.x;
                        win[rr][4 * j + 1] = v.y;
                        win[rr][4 * j + 2] = v.z;
                        win[rr][4 * j + 3] = v.w;
                    }
                } else {
                    for (uint q = 0; q < COLS; q++) {
                        const int iw = iw0 + int(q);
                        float v = 0.0;
                        if (q >= OFF && q < OFF + SPAN && rowIn && iw >= 0 && iw < int(p.W)) v = x1[rowBase + uint(iw)];
                        win[rr][q] = v;
                    }
                }
            }
            for (uint kh = 0; kh < KH; kh++)
                for (uint kw = 0; kw < KW; kw++) {
                    float wv[TM];
                    for (uint i = 0; i < TM; i++) {
                        const uint m = min(m0 + i, p.M - 1);
                        wv[i] = FLIP ? wt[((c * p.M + m) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw)]
                                     : wt[(m * p.CI + c) * KHW + kh * KW + kw];
                    }
                    for (uint a = 0; a < TH; a++)
                        for (uint q = 0; q < TW; q++) {
                            const float xv = win[a * SH + kh][OFF + q * SW + kw];
                            for (uint i = 0; i < TM; i++) acc[i][a][q] += wv[i] * xv;
                        }
                }
        }
        for (uint i = 0; i < TM; i++) {
            const uint m = m0 + i;
            if (m >= p.M) break;
            for (uint a = 0; a < TH; a++) {
                const uint oh = oh0 + a;
                if (oh >= p.OH) break;
                for (uint q = 0; q < TW; q++) {
                    const uint ow = ow0 + q;
                    if (ow >= p.OW) break;
                    y[((n * p.M + m) * p.OH + oh) * p.OW + ow] = acc[i][a][q];
                }
            }
        }
    }
    }
}
