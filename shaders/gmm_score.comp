#version 450
// gmm_score: exact score, and optionally divergence and log-density, of a
// Gaussian mixture perturbed by an SDE marginal x_t = m x_0 + s z:
//   p(x) = sum_k w_k N(x; m mu_k, C_k),  C_k = m^2 Sigma_k + s^2 I
//        = U_k diag(d_k) U_k^T,          d_kj = m^2 lambda_kj + s^2.
// One invocation per point x (row i of x [B, D]). Per component:
//   y_k  = U_k^T (x - m mu_k),   u_k = -C_k^{-1} (x - m mu_k) = -U_k (y_k / d_k)
//   lw_k = log w_k - (sum_j y_kj^2 / d_kj + sum_j log d_kj + D log 2 pi) / 2
// and with responsibilities r_k = softmax(lw)_k:
//   score = sum_k r_k u_k
//   div   = sum_k r_k (|u_k|^2 - tr C_k^{-1}) - |score|^2
//         = sum_k r_k |u_k - score|^2 - sum_k r_k tr C_k^{-1}
//   logp  = logsumexp_k lw_k
// The components are streamed once: a running log-sum-exp (rescaled when the
// maximum moves, so far-away points neither underflow nor overflow) and a
// weighted Welford update give the score as the weighted mean of u_k and the
// divergence from the weighted spread around it, free of the cancellation
// between sum r_k |u_k|^2 and |score|^2.
//
// Mixture buffer (binding 0), one record of REC floats per component:
//   [0] log w_k   [1] 1 when isotropic (U = I, all lambda equal)
//   [2, 2+D) lambda_k   [2+D, 2+2D) mu_k   [2+2D, 2+2D+D*D) U_k row-major
//   (columns are eigenvectors; present only when FULL = 1).
// (m, s) come from push constants, or with INDEXED = 1 from
//   row = state[0] + rowOff, m = coef[row*stride + colM], s = coef[row*stride + colS]
// so a recorded loop replays the kernel step after step; a row outside coef
// gives NaN outputs.
// Class guidance (cls >= 0): the score output is the score guided towards
// component cls by the exact noise-conditional classifier p_t(cls | x), whose
// gradient is u_cls - score:  score + scale (u_cls - score). The divergence
// and log-density stay those of the mixture.
#include "common.glsl"

layout(constant_id = 3) const int MAXD = 64;    // private array length, >= D
layout(constant_id = 4) const uint FULL = 1;    // 0: every component isotropic, no D x D products
layout(constant_id = 5) const uint INDEXED = 0; // 1: (m, s) from coef / state
layout(constant_id = 6) const uint OUTS = 1;    // bit 0 score, bit 1 div, bit 2 logp

layout(std430, set = 0, binding = 0) readonly buffer Mix { float mixv[]; };
layout(std430, set = 0, binding = 1) readonly buffer X { float xv[]; };
layout(std430, set = 0, binding = 2) readonly buffer Coef { float coef[]; };
layout(std430, set = 0, binding = 3) readonly buffer State { uint state[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Score { float score[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Div { float divv[]; };
layout(std430, set = 0, binding = 6) writeonly buffer LogP { float logp[]; };

layout(push_constant) uniform P {
    uint B; uint D; uint K; uint rec;
    float m; float s;
    uint stride; uint colM; uint colS; int rowOff;
    int cls; float scale;
} p;

const float LOG_2PI = 1.8378770664093453;

void main() {
    uint i = flat_id();
    if (i >= p.B) return;
    uint D = p.D;
    float m = p.m, s = p.s;
    if (INDEXED != 0) {
        int row = int(state[0]) + p.rowOff;
        uint n = uint(coef.length());
        uint im = uint(row) * p.stride + p.colM, is = uint(row) * p.stride + p.colS;
        if (row < 0 || im >= n || is >= n) {
            m = uintBitsToFloat(0x7fc00000u);
            s = m;
        } else {
            m = coef[im];
            s = coef[is];
        }
    }
    float m2 = m * m, s2 = s * s;

    float x[MAXD], u[MAXD], q[MAXD], mean[MAXD], uc[MAXD];
    for (uint j = 0; j < D; j++) {
        x[j] = xv[i * D + j];
        mean[j] = 0.0;
    }
    float M = 0.0;  // running max of lw
    float W = 0.0;  // sum_k exp(lw_k - M)
    float V = 0.0;  // sum_k exp(lw_k - M) |u_k - mean|^2 (Welford)
    float T = 0.0;  // sum_k exp(lw_k - M) tr C_k^{-1}
    for (uint k = 0; k < p.K; k++) {
        uint base = k * p.rec;
        uint lamOff = base + 2, muOff = base + 2 + D, uOff = base + 2 + 2 * D;
        float quad = 0.0, logdet, trP;
        if (FULL == 0 || mixv[base + 1] != 0.0) {
            float d = m2 * mixv[lamOff] + s2;
            float id = 1.0 / d;
            for (uint j = 0; j < D; j++) {
                float r = x[j] - m * mixv[muOff + j];
                quad += r * r;
                u[j] = -r * id;
            }
            quad *= id;
            logdet = float(D) * log(d);
            trP = float(D) * id;
        } else {
            for (uint j = 0; j < D; j++) u[j] = x[j] - m * mixv[muOff + j];
            logdet = 0.0;
            trP = 0.0;
            for (uint l = 0; l < D; l++) {
                float y = 0.0;
                for (uint a = 0; a < D; a++) y += mixv[uOff + a * D + l] * u[a];
                float d = m2 * mixv[lamOff + l] + s2;
                float id = 1.0 / d;
                float qv = y * id;
                quad += y * qv;
                q[l] = qv;
                logdet += log(d);
                trP += id;
            }
            for (uint j = 0; j < D; j++) {
                float acc = 0.0;
                for (uint l = 0; l < D; l++) acc += mixv[uOff + j * D + l] * q[l];
                u[j] = -acc;
            }
        }
        if (int(k) == p.cls) {
            for (uint j = 0; j < D; j++) uc[j] = u[j];
        }
        float lw = mixv[base] - 0.5 * (quad + logdet);
        float w;
        if (k == 0) {
            M = lw;
            w = 1.0;
        } else if (lw > M) {
            float c = exp(M - lw);
            W *= c;
            V *= c;
            T *= c;
            M = lw;
            w = 1.0;
        } else {
            w = exp(lw - M);
        }
        // Weighted Welford: with a = w / (W + w), mean += a (u - mean) and
        // V += W a |u - mean_old|^2, non-negative and exactly 0 when the
        // earlier weight W has been rescaled to 0.
        float Wn = W + w;
        float a = w / Wn;
        float acc = 0.0;
        for (uint j = 0; j < D; j++) {
            float dl = u[j] - mean[j];
            mean[j] += a * dl;
            acc += dl * dl;
        }
        V += W * a * acc;
        T += w * trP;
        W = Wn;
    }
    if ((OUTS & 1u) != 0) {
        for (uint j = 0; j < D; j++) {
            float v = mean[j];
            if (p.cls >= 0) v += p.scale * (uc[j] - v);
            score[i * D + j] = v;
        }
    }
    if ((OUTS & 2u) != 0) divv[i] = (V - T) / W;
    if ((OUTS & 4u) != 0) logp[i] = M + log(W) - 0.5 * float(D) * LOG_2PI;
}
