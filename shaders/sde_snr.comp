#version 450
// sde_snr: the step size of the Langevin corrector with signal-to-noise
// ratio r (Song et al. 2021, Algorithm 4):
//   eps = 2 alpha (r * mean_b ||z_b|| / mean_b ||s_b||)^2
// from per-sample squared norms gs[b] = ||s_b||^2 and zs[b] = ||z_b||^2, and
// writes the coefficients of the update x <- x + eps s + sqrt(2 eps) z to
//   out[p.out + 0..3] = (1, eps, sqrt(2 eps), 0)
// for sde_lincomb with NV = 2 (x, s). alpha = coef[row * stride + p.alpha_col]
// (row = state.counter), r = p.snr. One workgroup; a fixed summation order
// makes the result deterministic.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer GS { float gs[]; };
layout(std430, set = 0, binding = 1) readonly buffer ZS { float zs[]; };
layout(std430, set = 0, binding = 2) readonly buffer S { uint state[]; };
layout(std430, set = 0, binding = 3) buffer C { float coef[]; };
layout(push_constant) uniform P { uint b; uint stride; uint alpha_col; uint out_at; float snr; } p;

const uint WG = 64;
shared float sg[WG];
shared float sz[WG];

void main() {
    uint lid = gl_LocalInvocationID.x;
    float ag = 0.0, az = 0.0;
    for (uint i = lid; i < p.b; i += WG) {
        ag += sqrt(gs[i]);
        az += sqrt(zs[i]);
    }
    sg[lid] = ag;
    sz[lid] = az;
    barrier();
    for (uint s = WG / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            sg[lid] += sg[lid + s];
            sz[lid] += sz[lid + s];
        }
        barrier();
    }
    if (lid == 0u) {
        float alpha = coef[state[0] * p.stride + p.alpha_col];
        float ratio = p.snr * sz[0] / max(sg[0], 1e-30);
        float eps = 2.0 * alpha * ratio * ratio;
        coef[p.out_at + 0u] = 1.0;
        coef[p.out_at + 1u] = eps;
        coef[p.out_at + 2u] = sqrt(2.0 * eps);
        coef[p.out_at + 3u] = 0.0;
    }
}
