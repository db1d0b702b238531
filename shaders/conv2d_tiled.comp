#version 450
// conv2d_tiled: the three convolution products as implicit GEMMs with
// shared-memory tiles, for GPUs (and, on CPU-type devices, the fallback for
// the cases conv2d_reg does not cover). C = A B with A and B gathered on
// the fly (no im2col buffer):
//   MODE 0, forward:  C[o][n,oh,ow]   = sum_{c,kh,kw} W[o][c,kh,kw] X[n][c][oh*SH-PH+kh][ow*SW-PW+kw] (+ bias[o])
//   MODE 1, data:     C[c][n,ih,iw]   = sum_{o,kh,kw} W[o][c][kh][kw] gY[n][o][(ih+PH-kh)/SH][(iw+PW-kw)/SW]
//                                       (terms whose division is inexact or out of range are zero)
//   MODE 2, weights:  C[o][c,kh,kw]   = sum_{n,oh,ow} gY[n][o][oh][ow] X[n][c][oh*SH-PH+kh][ow*SW-PW+kw]
// A workgroup of LX x LY invocations computes a (LY*TM) x (LX*TN) tile of C,
// staging BK-deep slices of A and B in shared memory; each invocation keeps
// TM x TN results (rows ly*TM+i, columns lx+j*LX so that stores coalesce).
// Grid: (column tiles, row tiles, K slices), clamped by the host;
// workgroups loop over tiles. With S > 1 slices (split K: the weight
// gradient's K = N*OH*OW is long while its C is small, so few tiles would
// keep a GPU mostly idle), slice z sums its BK-aligned share of K into
// out[z*GM*GN ...], and the host adds the slices in a fixed order.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint BK = 16;
layout(constant_id = 6) const uint KH = 3;
layout(constant_id = 7) const uint KW = 3;
layout(constant_id = 8) const uint SH = 1;
layout(constant_id = 9) const uint SW = 1;
layout(constant_id = 10) const uint PH = 1;
layout(constant_id = 11) const uint PW = 1;
layout(constant_id = 12) const uint MODE = 0;
layout(constant_id = 13) const bool BIAS = false;

const uint LX = gl_WorkGroupSize.x, LY = gl_WorkGroupSize.y;
const uint BM = LY * TM, BN = LX * TN;
const uint KHW = KH * KW;

// MODE 0, 1: binding 0 = W; MODE 2: binding 0 = gY.
// MODE 0, 2: binding 1 = X; MODE 1: binding 1 = gY.
layout(std430, set = 0, binding = 0) readonly buffer SA { float sa[]; };
layout(std430, set = 0, binding = 1) readonly buffer SB { float sb[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Out { float outv[]; };
layout(push_constant) uniform P {
    uint N, C, H, W;
    uint O, OH, OW;
} p;

shared float As[BK][BM];
shared float Bsh[BK][BN];

float fetchX(uint n, uint c, uint oh, uint ow, uint kh, uint kw) {
    const int ih = int(oh * SH + kh) - int(PH), iw = int(ow * SW + kw) - int(PW);
    if (ih < 0 || iw < 0 || ih >= int(p.H) || iw >= int(p.W)) return 0.0;
    return sb[((n * p.C + c) * p.H + uint(ih)) * p.W + uint(iw)];
}

float fetchA(uint m, uint k, uint GM, uint GK) {
    if (m >= GM || k >= GK) return 0.0;
    if (MODE == 0) return sa[m * GK + k];
    if (MODE == 1) return sa[((k / KHW) * p.C + m) * KHW + k % KHW];
    return sa[((k / (p.OH * p.OW)) * p.O + m) * (p.OH * p.OW) + k % (p.OH * p.OW)];
}

float fetchB(uint k, uint col, uint GK, uint GN) {
    if (k >= GK || col >= GN) return 0.0;
    if (MODE == 0) {
        const uint OHW = p.OH * p.OW, n = col / OHW, q = col % OHW, c = k / KHW, r = k % KHW;
        return fetchX(n, c, q / p.OW, q % p.OW, r / KW, r % KW);
    }
    if (MODE == 1) {
        const uint HW = p.H * p.W, n = col / HW, q = col % HW, o = k / KHW, r = k % KHW;
        const int th = int(q / p.W + PH) - int(r / KW), tw = int(q % p.W + PW) - int(r % KW);
        if (th < 0 || tw < 0 || th % int(SH) != 0 || tw % int(SW) != 0) return 0.0;
        const uint oh = uint(th) / SH, ow = uint(tw) / SW;
        if (oh >= p.OH || ow >= p.OW) return 0.0;
        return sb[((n * p.O + o) * p.OH + oh) * p.OW + ow];
    }
    const uint OHW = p.OH * p.OW, n = k / OHW, q = k % OHW, c = col / KHW, r = col % KHW;
    return fetchX(n, c, q / p.OW, q % p.OW, r / KW, r % KW);
}

void main() {
    uint GM, GN, GK;
    if (MODE == 0) { GM = p.O; GN = p.N * p.OH * p.OW; GK = p.C * KHW; }
    else if (MODE == 1) { GM = p.C; GN = p.N * p.H * p.W; GK = p.O * KHW; }
    else { GM = p.O; GN = p.C * KHW; GK = p.N * p.OH * p.OW; }
    const uint lx = gl_LocalInvocationID.x, ly = gl_LocalInvocationID.y;
    const uint tid = ly * LX + lx, NT = LX * LY;
    const uint tilesM = (GM + BM - 1) / BM, tilesN = (GN + BN - 1) / BN;
    const uint slices = gl_NumWorkGroups.z, slice = gl_WorkGroupID.z;
    const uint kper = ((GK + slices - 1) / slices + BK - 1) / BK * BK;
    const uint kbegin = slice * kper, kend = min(GK, kbegin + kper);
    const uint base = slice * GM * GN;
    for (uint ty = gl_WorkGroupID.y; ty < tilesM; ty += gl_NumWorkGroups.y) {
    for (uint tx = gl_WorkGroupID.x; tx < tilesN; tx += gl_NumWorkGroups.x) {
        const uint row0 = ty * BM, col0 = tx * BN;
        float acc[TM][TN];
        for (uint i = 0; i < TM; i++)
            for (uint j = 0; j < TN; j++) acc[i][j] = 0.0;
        for (uint k0 = kbegin; k0 < kend; k0 += BK) {
            for (uint e = tid; e < BM * BK; e += NT) {
                const uint mm = e / BK, kk = e % BK;
                As[kk][mm] = fetchA(row0 + mm, k0 + kk, GM, GK);
            }
            for (uint e = tid; e < BK * BN; e += NT) {
                const uint kk = e / BN, nn = e % BN;
                Bsh[kk][nn] = fetchB(k0 + kk, col0 + nn, GK, GN);
            }
            barrier();
            for (uint kk = 0; kk < BK; kk++) {
                float a[TM], b[TN];
                for (uint i = 0; i < TM; i++) a[i] = As[kk][ly * TM + i];
                for (uint j = 0; j < TN; j++) b[j] = Bsh[kk][lx + j * LX];
                for (uint i = 0; i < TM; i++)
                    for (uint j = 0; j < TN; j++) acc[i][j] += a[i] * b[j];
            }
            barrier();
        }
        for (uint i = 0; i < TM; i++) {
            const uint m = row0 + ly * TM + i;
            if (m >= GM) break;
            for (uint j = 0; j < TN; j++) {
                const uint col = col0 + lx + j * LX;
                if (col >= GN) break;
                if (MODE == 0) {
                    const uint OHW = p.OH * p.OW;
                    outv[base + ((col / OHW) * p.O + m) * OHW + col % OHW] = acc[i][j] + (BIAS ? bias[m] : 0.0);
                } else if (MODE == 1) {
                    const uint HW = p.H * p.W;
                    outv[base + ((col / HW) * p.C + m) * HW + col % HW] = acc[i][j];
                } else {
                    outv[base + m * GN + col] = acc[i][j];
                }
            }
        }
    }
    }
}
