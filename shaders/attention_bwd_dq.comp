#version 450
// attention_bwd_dq: first half of the attention backward (FlashAttention-2
// style, recomputing the probabilities from the forward's logsumexp):
//   delta[i] = gy[:, i] . o[:, i]
//   p_ij     = exp(q_i . k_j * scale - lse_i)
//   ds_ij    = p_ij (gy_i . v_j - delta_i)
//   dq[:, i] = scale sum_j ds_ij k[:, j]
// One invocation owns R query rows, so every dq value is written by exactly
// one invocation (deterministic, no atomics). delta goes to a scratch buffer
// [N, heads, L] that attention_bwd_dkv reads. Layout and grid as
// attention_fwd.comp; TILE > 0 stages K and V tiles in shared memory.
#include "common.glsl"

layout(constant_id = 3) const uint D = 16;
layout(constant_id = 4) const uint R = 1;
layout(constant_id = 5) const uint TILE = 0;
const uint TS = TILE + uint(TILE == 0);
const float LOG2E = 1.4426950408889634;

layout(std430, set = 0, binding = 0) readonly buffer Qb { float q[]; };
layout(std430, set = 0, binding = 1) readonly buffer Kb { float k[]; };
layout(std430, set = 0, binding = 2) readonly buffer Vb { float v[]; };
layout(std430, set = 0, binding = 3) readonly buffer Ob { float o[]; };
layout(std430, set = 0, binding = 4) readonly buffer Lb { float lse[]; };
layout(std430, set = 0, binding = 5) readonly buffer Gb { float gy[]; };
layout(std430, set = 0, binding = 6) writeonly buffer DQb { float dq[]; };
layout(std430, set = 0, binding = 7) writeonly buffer DLb { float delta[]; };
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
    float g[R][D];
    float acc[R][D];
    float l2[R], dl[R];
    for (uint r = 0; r < R; r++) {
        uint i = min(x0 + r * WG + lane, L - 1);
        float t = 0.0;
        for (uint c = 0; c < D; c++) {
            uint e = base + c * L + i;
            qr[r][c] = q[e] * s2;
            g[r][c] = gy[e];
            t += gy[e] * o[e];
            acc[r][c] = 0.0;
        }
        dl[r] = t;
        l2[r] = lse[bh * L + i] * LOG2E;
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
        for (uint j = t0; j < tend; j++) {
            float s[R], dp[R];
            for (uint r = 0; r < R; r++) { s[r] = 0.0; dp[r] = 0.0; }
            for (uint c = 0; c < D; c++) {
                float kv = kat(c, j), vv = vat(c, j);
                for (uint r = 0; r < R; r++) {
                    s[r] += qr[r][c] * kv;
                    dp[r] += g[r][c] * vv;
                }
            }
            for (uint r = 0; r < R; r++) s[r] = exp2(s[r] - l2[r]) * (dp[r] - dl[r]);
            for (uint c = 0; c < D; c++) {
                float kv = kat(c, j);
                for (uint r = 0; r < R; r++) acc[r][c] += s[r] * kv;
            }
        }
    }

    for (uint r = 0; r < R; r++) {
        uint i = x0 + r * WG + lane;
        if (i >= L) continue;
        for (uint c = 0; c < D; c++) dq[base + c * L + i] = acc[r][c] * p.scale;
        delta[bh * L + i] = dl[r];
    }
}
