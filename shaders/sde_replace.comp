#version 450
// sde_replace: score_sde's inpainting projection. The known elements of x
// (mask[i] != 0; every point has its own values and mask) become the
// forward-perturbed data m a_i + s z_i, the others are kept:
//   x[i] = mask[i] != 0 ? m a[i] + s z_i : x[i].
// (m, s) are coef[base], coef[base + 1] with base = state.counter * stride +
// col (stride 0: a fixed location). z is element i of rng.Normal with key
// (state.seed, stream) and Philox step = state.counter, as sde_lincomb draws
// it, at global index state.offset + i (state word 3): one invocation per
// Philox block of global indices, lanes outside the batch skipped.
#include "common.glsl"
#include "philox.glsl"

layout(std430, set = 0, binding = 0) buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer C { float coef[]; };
layout(std430, set = 0, binding = 2) readonly buffer S { uint state[]; };  // counter, seed lo, seed hi, offset
layout(std430, set = 0, binding = 3) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 4) readonly buffer M { float mask[]; };
layout(push_constant) uniform P { uint n; uint col; uint stride; uint stream; } p;

void main() {
    uint t = flat_id();
    uint phase = state[3] & 3u;
    if (p.n == 0u || t > (p.n + phase - 1u) / 4u) return;
    uint first = 4u * t - phase;  // wraps past 2^32 for the lanes before the offset
    uint counter = state[0];
    uint base = counter * p.stride + p.col;
    float m = coef[base], s = coef[base + 1u];
    uvec4 w = philox4x32_10(uvec4((state[3] >> 2u) + t, counter, p.stream, 0u), uvec2(state[1], state[2]));
    vec4 z = vec4(philox_normal_pair(w.x, w.y), philox_normal_pair(w.z, w.w));
    for (uint l = 0u; l < 4u; l++) {
        uint i = first + l;
        if (i >= p.n) continue;
        if (mask[i] != 0.0) x[i] = m * a[i] + s * z[l];
    }
}
