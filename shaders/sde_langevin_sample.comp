#version 450
// sde_langevin_sample: the Langevin corrector step with each sample's own
// step size (Song et al. 2021, Algorithm 4, with the norms of one sample
// rather than their batch means), so a sample's update never depends on the
// other samples of its batch:
//   eps_b = 2 alpha (r ||z_b|| / ||s_b||)^2
//   x[i]  = x[i] + eps_b s[i] + sqrt(2 eps_b) z[i],   b = i / d
// from per-sample squared norms gs[b] = ||s_b||^2 and zs[b] = ||z_b||^2;
// alpha = coef[state.counter * stride + alpha_col], r = p.snr. One
// invocation per element.
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Sc { float s[]; };
layout(std430, set = 0, binding = 2) readonly buffer Z { float z[]; };
layout(std430, set = 0, binding = 3) readonly buffer GS { float gs[]; };
layout(std430, set = 0, binding = 4) readonly buffer ZS { float zs[]; };
layout(std430, set = 0, binding = 5) readonly buffer S { uint state[]; };
layout(std430, set = 0, binding = 6) readonly buffer C { float coef[]; };
layout(push_constant) uniform P { uint n; uint d; uint stride; uint alpha_col; float snr; } p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint b = i / p.d;
    float alpha = coef[state[0] * p.stride + p.alpha_col];
    float ratio = p.snr * sqrt(zs[b]) / max(sqrt(gs[b]), 1e-30);
    float eps = 2.0 * alpha * ratio * ratio;
    x[i] = x[i] + eps * s[i] + sqrt(2.0 * eps) * z[i];
}
