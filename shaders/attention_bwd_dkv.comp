#version 450
// attention_bwd_dkv: second half of the attention backward; one invocation
// owns R key columns j and loops over every query row i:
//   p_ij     = exp(q_i . k_j * scale - lse_i)
//   dv[:, j] = sum_i p_ij gy[:, i]
//   dk[:, j] = scale sum_i p_ij (gy_i . v_j - delta_i) q[:, i]
// with delta from attention_bwd_dq. Every output is written by exactly one
// invocation (deterministic, no atomics). Layout and grid as
// attention_fwd.comp (x covers key columns); TILE > 0 stages Q, gy, lse and
// delta tiles in shared memory.
#include "common.glsl"

layout(constant_id = 3) const uint D = 16;
layout(constant_id = 4) const uint R = 1;
layout(constant_id = 5) const uint TILE = 0;
const uint TS = TILE + uint(TILE == 0);
const float LOG2E = 1.4426950408889634;

layout(std430, set = 0, binding = 0) readonly buffer Qb { float q[]; };
layout(std430, set = 0, binding = 1) readonly buffer Kb { float k[]; };
layout(std430, set = 0, binding = 2) readonly buffer Vb { float v[]; };
layout(std430, set = 0, binding = 3) readonly buffer Lb { float lse[]; };
layout(std430, set = 0, binding = 4) readonly buffer Gb { float gy[]; };
layout(std430, set = 0, binding = 5) readonly buffer DLb { float delta[]; };
layout(std430, set = 0, binding = 6) writeonly buffer DKb { float dk[]; };
layout(std430, set = 0, binding = 7) writeonly buffer DVb { float dv[]; };
layout(push_constant) uniform P { uint L; uint C; uint heads; float scale; } p;

shared float qs[TS * D];
shared float gs[TS * D];
shared float ls[TS];
shared float ds[TS];

uint base, rowbase, t0;

float qat(uint c, uint i) { return TILE > 0 ? qs[c * TS + (i - t0)] : q[base + c * p.L + i]; }
float gat(uint c, uint i) { return TILE > 0 ? gs[c * TS + (i - t0)] : gy[base + c * p.L + i]; }
float lat(uint i) { return TILE > 0 ? ls[i - t0] : lse[rowbase + i] * LOG2E; }
float dat(uint i) { return TILE > 0 ? ds[i - t0] : delta[rowbase + i]; }

void main() {
    uint L = p.L;
    uint bh = gl_WorkGroupID.y;
    uint h = bh % p.heads, n = bh / p.heads;
    base = (n * p.C + h * D) * L;
    rowbase = bh * L;
    uint WG = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
    uint x0 = gl_WorkGroupID.x * WG * R;
    float s2 = p.scale * LOG2E;

    float kr[R][D];
    float vr[R][D];
    float dka[R][D];
    float dva[R][D];
    for (uint r = 0; r < R; r++) {
        uint j = min(x0 + r * WG + lane, L - 1);
        for (uint c = 0; c < D; c++) {
            uint e = base + c * L + j;
            kr[r][c] = k[e] * s2;
            vr[r][c] = v[e];
            dka[r][c] = 0.0;
            dva[r][c] = 0.0;
        }
    }

    uint span = TILE > 0 ? TILE : L;
    for (t0 = 0; t0 < L; t0 += span) {
        uint tend = min(t0 + span, L);
        if (TILE > 0) {
            barrier();
            for (uint idx = lane; idx < TILE * D; idx += WG) {
                uint c = idx / TILE, ii = idx % TILE, i = t0 + ii;
                bool ok = i < L;
                qs[c * TS + ii] = ok ? q[base + c * L + i] : 0.0;
                gs[c * TS + ii] = ok ? gy[base + c * L + i] : 0.0;
            }
            for (uint ii = lane; ii < TILE; ii += WG) {
                bool ok = t0 + ii < L;
                ls[ii] = ok ? lse[rowbase + t0 + ii] * LOG2E : 0.0;
                ds[ii] = ok ? delta[rowbase + t0 + ii] : 0.0;
            }
            barrier();
        }
        for (uint i = t0; i < tend; i++) {
            float s[R], dp[R];
            for (uint r = 0; r < R; r++) { s[r] = 0.0; dp[r] = 0.0; }
            for (uint c = 0; c < D; c++) {
                float qv = qat(c, i), gv = gat(c, i);
                for (uint r = 0; r < R; r++) {
                    s[r] += kr[r][c] * qv;
                    dp[r] += vr[r][c] * gv;
                }
            }
            float li = lat(i), di = dat(i);
            float pr[R];
            for (uint r = 0; r < R; r++) {
                pr[r] = exp2(s[r] - li);
                s[r] = pr[r] * (dp[r] - di);
            }
            for (uint c = 0; c < D; c++) {
                float qv = qat(c, i), gv = gat(c, i);
                for (uint r = 0; r < R; r++) {
                    dva[r][c] += pr[r] * gv;
                    dka[r][c] += s[r] * qv;
                }
            }
        }
    }

    for (uint r = 0; r < R; r++) {
        uint j = x0 + r * WG + lane;
        if (j >= L) continue;
        for (uint c = 0; c < D; c++) {
            uint e = base + c * L + j;
            dk[e] = dka[r][c] * p.scale;
            dv[e] = dva[r][c];
        }
    }
}
