// gmm_score: exact score, and optionally divergence and log-density, of a
// Gaussian mixture perturbed by an SDE marginal x_t = m x_0 + s z:
//   p(x) = sum_k w_k N(x; m mu_k, C_k),  C_k = m^2 Sigma_k + s^2 I,
// from the per-time table gmm_prep writes (m mu_k, P_k = C_k^{-1},
// c_k = log w_k - log det C_k / 2, tr P_k). Included by gmm_score.comp (the
// table is a storage buffer) and gmm_score_texels.comp (TEXELS: an RGBA32F
// texel buffer, which lavapipe fetches as whole vectors).
//
// Each invocation evaluates NP points (rows of x [B, D]). Per component:
//   r_k = x - m mu_k,   u_k = -P_k r_k,   lw_k = c_k - r_k . P_k r_k / 2
// (one D x D product; an isotropic component, P_k = I / d, needs none) and
// with responsibilities q_k = softmax(lw)_k:
//   score = sum_k q_k u_k
//   div   = sum_k q_k (|u_k|^2 - tr P_k) - |score|^2
//         = sum_k q_k |u_k - score|^2 - sum_k q_k tr P_k
//   logp  = logsumexp_k lw_k - D log(2 pi) / 2
// The components are streamed once: a running log-sum-exp (rescaled when the
// maximum moves, so far-away points neither underflow nor overflow) and a
// weighted Welford update give the score as the weighted mean of u_k and the
// divergence from the weighted spread around it, free of the cancellation
// between sum q_k |u_k|^2 and |score|^2.
//
// D and NP are specialization constants, so the loops over coordinates and
// points unroll and the points, u_k and the running means stay in registers
// (vec4s of D4 = ceil(D / 4), zero-padded). lavapipe executes a load whose
// address it cannot prove uniform (any load inside the loop over
// components) one lane at a time: NP points per invocation share each load
// of P_k, and vec4 texel fetches take four values per load.
//
// Table (binding 0), one record of TREC floats per component, in vec4s
// (gmm_prep.comp): [0] (c_k, tr P_k, 1 / d when isotropic (P_k = I / d)
// else 0, 0), then D4 vec4s of m mu_k, then (FULL = 1) D rows of D4 vec4s
// of P_k.
// Class guidance (CLASS = 1, cls >= 0): the score output is the score guided towards
// component cls by the exact noise-conditional classifier p_t(cls | x), whose
// gradient is u_cls - score:  score + scale (u_cls - score). The divergence
// and log-density stay those of the mixture.
#extension GL_EXT_control_flow_attributes : require
#ifdef TEXELS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
uint laneId() { return gl_SubgroupInvocationID; }
vec4 shuffle4(vec4 v, uint lane) { return subgroupShuffle(v, lane); }
#else
// The storage-buffer kernel (GPUs) shares no loads: SG is 1.
uint laneId() { return 0; }
vec4 shuffle4(vec4 v, uint lane) { return v; }
#endif
#include "common.glsl"

layout(constant_id = 3) const uint D = 2;
layout(constant_id = 4) const uint FULL = 1; // 0: every component isotropic, no D x D products
layout(constant_id = 5) const uint OUTS = 1; // bit 0 score, bit 1 div, bit 2 logp
layout(constant_id = 6) const uint NP = 1;   // points per invocation
layout(constant_id = 7) const uint CLASS = 0; // 1: class guidance (p.cls >= 0)
layout(constant_id = 8) const uint SG = 1;    // subgroup size sharing the loads of P_k, or 1

const uint D4 = (D + 3) / 4;
const uint SH = (D * D4 + SG - 1) / SG; // texels of P_k each lane loads (SG > 1)
// Whole vec4 rows: x and the score move as vec4s (a quarter of lavapipe's
// one-lane-at-a-time storage accesses).
const bool VEC = D % 4 == 0;

#ifdef TEXELS
layout(set = 0, binding = 0) uniform samplerBuffer Table;
vec4 t4(uint i) { return texelFetch(Table, int(i)); }
#else
layout(std430, set = 0, binding = 0) readonly buffer Table { vec4 table[]; };
vec4 t4(uint i) { return table[i]; }
#endif
layout(std430, set = 0, binding = 1) readonly buffer X { float xv[]; };
layout(std430, set = 0, binding = 1) readonly buffer X4 { vec4 xv4[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Score { float score[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Score4 { vec4 score4[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Div { float divv[]; };
layout(std430, set = 0, binding = 4) writeonly buffer LogP { float logp[]; };

layout(push_constant) uniform P {
    uint B; uint K; uint trec;
    int cls; float scale;
} p;

const float LOG_2PI = 1.8378770664093453;

void main() {
    uint first = flat_id() * NP;
    // With SG > 1 every lane of a subgroup takes part in the shuffles:
    // lanes past the batch compute duplicates and store nothing.
    if (SG == 1 && first >= p.B) return;
    vec4 x[NP][D4], r[NP][D4], u[NP][D4], mean[NP][D4], uc[NP][D4];
    [[unroll]] for (uint n = 0; n < NP; n++) {
        uint i = min(first + n, p.B - 1); // past the end: a duplicate, not stored
        [[unroll]] for (uint j = 0; j < D4; j++) {
            mean[n][j] = vec4(0.0);
            if (CLASS != 0) uc[n][j] = vec4(0.0);
            u[n][j] = vec4(0.0);
            if (VEC) {
                x[n][j] = xv4[i * D4 + j];
            } else {
                [[unroll]] for (uint c = 0; c < 4; c++) {
                    x[n][j][c] = 4 * j + c < D ? xv[i * D + 4 * j + c] : 0.0;
                }
            }
        }
    }
    float M[NP], W[NP], V[NP], T[NP], quad[NP];
    [[unroll]] for (uint n = 0; n < NP; n++) {
        M[n] = 0.0; // running max of lw
        W[n] = 0.0; // sum_k exp(lw_k - M)
        V[n] = 0.0; // sum_k exp(lw_k - M) |u_k - mean|^2 (Welford)
        T[n] = 0.0; // sum_k exp(lw_k - M) tr P_k
    }
    for (uint k = 0; k < p.K; k++) {
        uint base = k * (p.trec / 4);
        vec4 head = t4(base);
        [[unroll]] for (uint j = 0; j < D4; j++) {
            vec4 mu = t4(base + 1 + j);
            [[unroll]] for (uint n = 0; n < NP; n++) r[n][j] = x[n][j] - mu;
        }
        if (FULL == 0 || head.z != 0.0) {
            [[unroll]] for (uint n = 0; n < NP; n++) {
                quad[n] = 0.0;
                [[unroll]] for (uint j = 0; j < D4; j++) {
                    quad[n] += dot(r[n][j], r[n][j]);
                    u[n][j] = -r[n][j] * head.z;
                }
                quad[n] *= head.z;
            }
        } else {
            // SG > 1: the subgroup loads P_k once, lane l texels l, l + SG, ...,
            // and shuffles them to every lane (one vector instruction each
            // on lavapipe, where a load costs one per lane).
            uint pOff = base + 1 + D4;
            vec4 sh[SH];
            if (SG > 1) {
                uint lane = laneId();
                [[unroll]] for (uint s = 0; s < SH; s++) sh[s] = t4(pOff + min(lane + SG * s, D * D4 - 1));
            }
            [[unroll]] for (uint n = 0; n < NP; n++) quad[n] = 0.0;
            [[unroll]] for (uint j = 0; j < D; j++) {
                float acc[NP];
                [[unroll]] for (uint n = 0; n < NP; n++) acc[n] = 0.0;
                [[unroll]] for (uint a = 0; a < D4; a++) {
                    uint e = j * D4 + a;
                    vec4 pr = SG == 1 ? t4(pOff + e) : shuffle4(sh[e / SG], e % SG);
                    [[unroll]] for (uint n = 0; n < NP; n++) acc[n] += dot(pr, r[n][a]);
                }
                [[unroll]] for (uint n = 0; n < NP; n++) {
                    quad[n] += acc[n] * r[n][j / 4][j % 4];
                    u[n][j / 4][j % 4] = -acc[n];
                }
            }
        }
        [[unroll]] for (uint n = 0; n < NP; n++) {
            if (CLASS != 0 && int(k) == p.cls) {
                [[unroll]] for (uint j = 0; j < D4; j++) uc[n][j] = u[n][j];
            }
            float lw = head.x - 0.5 * quad[n];
            float w;
            if (k == 0) {
                M[n] = lw;
                w = 1.0;
            } else if (lw > M[n]) {
                float c = exp(M[n] - lw);
                W[n] *= c;
                V[n] *= c;
                T[n] *= c;
                M[n] = lw;
                w = 1.0;
            } else {
                w = exp(lw - M[n]);
            }
            // Weighted Welford: with a = w / (W + w), mean += a (u - mean)
            // and V += W a |u - mean_old|^2, non-negative and exactly 0 when
            // the earlier weight W has been rescaled to 0.
            float Wn = W[n] + w;
            float a = w / Wn;
            float acc = 0.0;
            [[unroll]] for (uint j = 0; j < D4; j++) {
                vec4 dl = u[n][j] - mean[n][j];
                mean[n][j] += a * dl;
                acc += dot(dl, dl);
            }
            V[n] += W[n] * a * acc;
            T[n] += w * head.y;
            W[n] = Wn;
        }
    }
    [[unroll]] for (uint n = 0; n < NP; n++) {
        uint i = first + n;
        if (i >= p.B) break;
        if ((OUTS & 1u) != 0) {
            [[unroll]] for (uint j = 0; j < D4; j++) {
                vec4 v = mean[n][j];
                if (CLASS != 0) v += p.scale * (uc[n][j] - v);
                if (VEC) {
                    score4[i * D4 + j] = v;
                } else {
                    [[unroll]] for (uint c = 0; c < 4; c++) {
                        if (4 * j + c < D) score[i * D + 4 * j + c] = v[c];
                    }
                }
            }
        }
        if ((OUTS & 2u) != 0) divv[i] = (V[n] - T[n]) / W[n];
        if ((OUTS & 4u) != 0) logp[i] = M[n] + log(W[n]) - 0.5 * float(D) * LOG_2PI;
    }
}
