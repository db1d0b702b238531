#version 450
// attention_fwd: fused multi-head self-attention forward with online softmax
// (FlashAttention style; the L x L score matrix is never stored).
//
// Layout (graph.Attention): q, k, v, o are [N, C, L]; head h owns channels
// [h D, (h+1) D), so element (c, i) of head (n, h) is at
// base + c L + i with base = (n C + h D) L.
//   o[:, i]  = sum_j softmax_j(q[:, i] . k[:, j] * scale) v[:, j]
//   lse[i]   = log sum_j exp(q[:, i] . k[:, j] * scale)   (natural log, [N, heads, L])
// scale is pushed (1/sqrt(D) for graph.Attention).
//
// Grid: x covers the rows (WG * R per group), y = n * heads + h.
// Each invocation owns R query rows i = x0 + r WG + lane and keeps q, the
// output accumulator, the running max and sum in registers.
// TILE = 0: keys and values are read from global memory (CPU-type devices);
// TILE > 0: the group stages TILE keys/values at a time in shared memory.
#include "common.glsl"

layout(constant_id = 3) const uint D = 16;    // head dimension
layout(constant_id = 4) const uint R = 1;     // rows per invocation
layout(constant_id = 5) const uint TILE = 0;  // keys per shared tile, 0 = none
const uint TS = TILE + uint(TILE == 0);
const uint KB = 4;                            // keys per online-softmax update
const float NEG = -3.0e38;
const float LOG2E = 1.4426950408889634;

layout(std430, set = 0, binding = 0) readonly buffer Qb { float q[]; };
layout(std430, set = 0, binding = 1) readonly buffer Kb { float k[]; };
layout(std430, set = 0, binding = 2) readonly buffer Vb { float v[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Ob { float o[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Lb { float lse[]; };
layout(push_constant) uniform P { uint L; uint C; uint heads; float scale; } p;

shared float ks[TS * D];
shared float vs[TS * D];

uint base, t0;

float kat(uint c, uint j) { return TILE > 0 ? ks[c * TS + (j - t0)] : k[base + c * p.L + j]; }
float vat(uint c, uint j) { return TILE > 0 ? vs[c * TS + (j - t0)] : v[base + c * p.L + j]; }

void main() {
    uint L = p.L;
    uint bh = gl_WorkGroupID.y;
    uint h = bh % p.heads, n = bh / p.heads;
    base = (n * p.C + h * D) * L;
    uint WG = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
    uint x0 = gl_WorkGroupID.x * WG * R;
    float s2 = p.scale * LOG2E;

    float qr[R][D];
    float acc[R][D];
    float m[R], l[R];
    for (uint r = 0; r < R; r++) {
        uint i = min(x0 + r * WG + lane, L - 1);
        for (uint c = 0; c < D; c++) {
            qr[r][c] = q[base + c * L + i] * s2;
            acc[r][c] = 0.0;
        }
        m[r] = NEG;
        l[r] = 0.0;
    }

    uint span = TILE > 0 ? TILE : L;
    for (t0 = 0; t0 < L; t0 += span) {
        uint tend = min(t0 + span, L);
        if (TILE > 0) {
            barrier();
            for (uint idx = lane; idx < TILE * D; idx += WG) {
                uint c = idx / TILE, jj = idx % TILE, j = t0 + jj;
                bool ok = j < L;
                ks[c * TS + jj] = ok ? k[base + c * L + j] : 0.0;
                vs[c * TS + jj] = ok ? v[base + c * L + j] : 0.0;
            }
            barrier();
        }
        for (uint j0 = t0; j0 < tend; j0 += KB) {
            float s[R][KB];
            for (uint b = 0; b < KB; b++) {
                uint j = min(j0 + b, tend - 1);
                for (uint r = 0; r < R; r++) s[r][b] = 0.0;
                for (uint c = 0; c < D; c++) {
                    float kv = kat(c, j);
                    for (uint r = 0; r < R; r++) s[r][b] += qr[r][c] * kv;
                }
                if (j0 + b >= tend) {
                    for (uint r = 0; r < R; r++) s[r][b] = NEG;
                }
            }
            float corr[R];
            for (uint r = 0; r < R; r++) {
                float mn = m[r];
                for (uint b = 0; b < KB; b++) mn = max(mn, s[r][b]);
                corr[r] = exp2(m[r] - mn);
                float sum = 0.0;
                for (uint b = 0; b < KB; b++) {
                    s[r][b] = exp2(s[r][b] - mn);
                    sum += s[r][b];
                }
                l[r] = l[r] * corr[r] + sum;
                m[r] = mn;
            }
            for (uint c = 0; c < D; c++) {
                float vb[KB];
                for (uint b = 0; b < KB; b++) vb[b] = vat(c, min(j0 + b, tend - 1));
                for (uint r = 0; r < R; r++) {
                    float a = acc[r][c] * corr[r];
                    for (uint b = 0; b < KB; b++) a += s[r][b] * vb[b];
                    acc[r][c] = a;
                }
            }
        }
    }

    for (uint r = 0; r < R; r++) {
        uint i = x0 + r * WG + lane;
        if (i >= L) continue;
        float inv = 1.0 / l[r];
        for (uint c = 0; c < D; c++) o[base + c * L + i] = acc[r][c] * inv;
        lse[bh * L + i] = (m[r] + log2(l[r])) * 0.6931471805599453;
    }
}
