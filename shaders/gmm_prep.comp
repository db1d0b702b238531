#version 450
// gmm_prep: the per-time table of a Gaussian mixture perturbed by an SDE
// marginal x_t = m x_0 + s z, which gmm_score reads:
//   C_k = m^2 Sigma_k + s^2 I = U_k diag(d_k) U_k^T,  d_kj = m^2 lambda_kj + s^2,
//   P_k = C_k^{-1} = U_k diag(1 / d_k) U_k^T.
// One invocation per (component k, row j): it writes m mu_kj and, for a
// full component, row j of P_k; the row-0 invocation also writes the
// component's constants. Doing this once per evaluation leaves gmm_score
// one D x D product per point and component (instead of two, and D logs and
// divisions).
//
// Mixture buffer (binding 0), one record of REC floats per component:
//   [0] log w_k   [1] 1 when isotropic (U = I, all lambda equal)
//   [2, 2+D) lambda_k   [2+D, 2+2D) mu_k   [2+2D, 2+2D+D*D) U_k row-major
//   (columns are eigenvectors; present only when FULL = 1).
// Table (binding 3), one record of TREC floats per component, in vec4s (D4
// = ceil(D / 4) of them per vector, zero-padded, so gmm_score reads whole
// vec4s and the padding adds nothing to its dot products):
//   [0] log w_k - log det C_k / 2   [1] tr P_k
//   [2] 1 / d_k0 when the component is isotropic, else 0   [3] 0
//   [4, 4+4*D4) m mu_k
//   [4+4*D4, 4+4*D4+D*4*D4) P_k, row j at 4+4*D4 + j*4*D4 (FULL = 1, full
//   components only)
// (m, s) come from push constants, or with INDEXED = 1 from
//   row = state[0] + rowOff, m = coef[row*stride + colM], s = coef[row*stride + colS]
// so a recorded loop replays the kernel step after step; a row outside coef
// gives NaN (and so NaN scores).
#include "common.glsl"

layout(constant_id = 3) const uint D = 2;
layout(constant_id = 4) const uint FULL = 1;    // 0: every component isotropic
layout(constant_id = 5) const uint INDEXED = 0; // 1: (m, s) from coef / state

layout(std430, set = 0, binding = 0) readonly buffer Mix { float mixv[]; };
layout(std430, set = 0, binding = 1) readonly buffer Coef { float coef[]; };
layout(std430, set = 0, binding = 2) readonly buffer State { uint state[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Table { float table[]; };

layout(push_constant) uniform P {
    uint K; uint rec; uint trec;
    float m; float s;
    uint stride; uint colM; uint colS; int rowOff;
} p;

void main() {
    uint id = flat_id();
    if (id >= p.K * D) return;
    uint k = id / D, j = id % D;
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
    uint base = k * p.rec, lam = base + 2, mu = base + 2 + D, u = base + 2 + 2 * D;
    uint out0 = k * p.trec, W = (D + 3) / 4 * 4; // W: a padded vector's floats
    bool iso = FULL == 0 || mixv[base + 1] != 0.0;
    table[out0 + 4 + j] = m * mixv[mu + j];
    if (j == 0) {
        for (uint c = D; c < W; c++) table[out0 + 4 + c] = 0.0;
        float logdet = 0.0, tr = 0.0;
        for (uint l = 0; l < D; l++) {
            float d = m2 * mixv[lam + l] + s2;
            logdet += log(d);
            tr += 1.0 / d;
        }
        table[out0] = mixv[base] - 0.5 * logdet;
        table[out0 + 1] = tr;
        table[out0 + 2] = iso ? 1.0 / (m2 * mixv[lam] + s2) : 0.0;
        table[out0 + 3] = 0.0;
    }
    if (FULL == 0 || iso) return;
    uint prow = out0 + 4 + W + j * W;
    for (uint c = 0; c < D; c++) {
        float acc = 0.0;
        for (uint l = 0; l < D; l++) {
            acc += mixv[u + j * D + l] * mixv[u + c * D + l] / (m2 * mixv[lam + l] + s2);
        }
        table[prow + c] = acc;
    }
    for (uint c = D; c < W; c++) table[prow + c] = 0.0;
}
