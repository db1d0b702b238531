#version 450
// sde_lincomb: the fused update of every sampler step,
//   y = sum_{j < NV} c_j v_j + c_noise z + c_const,
// with z standard normal from Philox drawn inline (NOISE = 1), so an
// Euler-Maruyama, reverse-diffusion, ancestral, Langevin or ODE step is one
// dispatch. The coefficients are read from the device, not pushed: at
//   coef[row * stride + col + j]   (c_noise at j = NV, c_const at j = NV + 1)
// with row = state.counter when stride > 0, so a recorded loop replays every
// step with that step's numbers. z uses key (state.seed, stream) and Philox
// step = state.counter, exactly rng.Normal's mapping: the same draw can be
// regenerated (for instance once to measure its norm, once to apply it).
// Element i of y takes noise element state.offset + i (state word 3), so a
// batch that holds points K.. of a run draws what one run of all points
// draws for them. Each invocation handles one Philox block of those global
// indices: block offset/4 + t, whose lanes before the offset or past n are
// skipped (offset % 4 = phase).
//
// Specialization: 3 = NV (0..8 vectors), 4 = NOISE (0 none, 1 normal,
// 2 uniform, 3 Rademacher: the draws of rng.Normal, rng.Uniform and
// rng.Rademacher). Unused vector bindings must still be bound (to any buffer).
#include "common.glsl"
#include "philox.glsl"

layout(constant_id = 3) const uint NV = 1;
layout(constant_id = 4) const uint NOISE = 0;

layout(std430, set = 0, binding = 0) buffer Y { float y[]; };
layout(std430, set = 0, binding = 1) readonly buffer C { float coef[]; };
layout(std430, set = 0, binding = 2) readonly buffer S { uint state[]; };  // counter, seed lo, seed hi, offset
layout(std430, set = 0, binding = 3) readonly buffer V0 { float v0[]; };
layout(std430, set = 0, binding = 4) readonly buffer V1 { float v1[]; };
layout(std430, set = 0, binding = 5) readonly buffer V2 { float v2[]; };
layout(std430, set = 0, binding = 6) readonly buffer V3 { float v3[]; };
layout(std430, set = 0, binding = 7) readonly buffer V4 { float v4[]; };
layout(std430, set = 0, binding = 8) readonly buffer V5 { float v5[]; };
layout(std430, set = 0, binding = 9) readonly buffer V6 { float v6[]; };
layout(std430, set = 0, binding = 10) readonly buffer V7 { float v7[]; };
layout(push_constant) uniform P { uint n; uint col; uint stride; uint stream; } p;

float vec_at(uint j, uint i) {
    switch (j) {
    case 0: return v0[i];
    case 1: return v1[i];
    case 2: return v2[i];
    case 3: return v3[i];
    case 4: return v4[i];
    case 5: return v5[i];
    case 6: return v6[i];
    default: return v7[i];
    }
}

void main() {
    uint t = flat_id();
    uint phase = state[3] & 3u;
    if (p.n == 0u || t > (p.n + phase - 1u) / 4u) return;
    uint first = 4u * t - phase;  // wraps past 2^32 for the lanes before the offset
    uint counter = state[0];
    uint base = (p.stride > 0u ? counter * p.stride : 0u) + p.col;
    vec4 z = vec4(0.0);
    if (NOISE != 0u) {
        uvec4 w = philox4x32_10(uvec4((state[3] >> 2u) + t, counter, p.stream, 0u), uvec2(state[1], state[2]));
        if (NOISE == 1u) {
            z = vec4(philox_normal_pair(w.x, w.y), philox_normal_pair(w.z, w.w));
        } else if (NOISE == 2u) {
            z = vec4(philox_uniform(w.x), philox_uniform(w.y), philox_uniform(w.z), philox_uniform(w.w));
        } else {
            z = vec4((w >> 31u) * 2u) - 1.0;
        }
    }
    float cn = coef[base + NV], cc = coef[base + NV + 1u];
    for (uint l = 0u; l < 4u; l++) {
        uint i = first + l;
        if (i >= p.n) continue;
        float acc = cc + cn * z[l];
        for (uint j = 0u; j < NV; j++) acc += coef[base + j] * vec_at(j, i);
        y[i] = acc;
    }
}
