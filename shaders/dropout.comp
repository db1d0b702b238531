#version 450
// dropout: graph.Dropout in one pass,
//   y[i] = x[i] * SCALE, or 0 where element i is dropped,
// element i being dropped when Philox uniform number state.offset + i of
// key (state.seed, stream) at Philox step state.counter is below the rate:
// the draw of sde_lincomb's uniform noise (rng.Uniform), decided on the
// word itself, k = w >> 8 below DROP, which the host computes from the rate
// so that the test is exactly ref.Dropout's (k + 0.5) / 2^24 < rate. Each
// invocation handles one Philox block, as sde_lincomb, and moves it as one
// vec4 when it is whole and aligned.
#include "common.glsl"
#include "philox.glsl"

layout(constant_id = 3) const uint DROP = 0;      // words k = w >> 8 below DROP are dropped
layout(constant_id = 4) const float SCALE = 1.0;  // 1 / (1 - rate)

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer S { uint state[]; };  // counter, seed lo, seed hi, offset
layout(std430, set = 0, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y4 { vec4 y4[]; };
layout(push_constant) uniform P { uint n; uint stream; } p;

void main() {
    uint t = flat_id();
    uint phase = state[3] & 3u;
    if (p.n == 0u || t > (p.n + phase - 1u) / 4u) return;
    uint first = 4u * t - phase;  // wraps past 2^32 for the lanes before the offset
    uvec4 w = philox4x32_10(uvec4((state[3] >> 2u) + t, state[0], p.stream, 0u), uvec2(state[1], state[2]));
    bvec4 keep = greaterThanEqual(w >> 8u, uvec4(DROP));
    if (phase == 0u && first + 4u <= p.n) {
        // A whole block at a multiple of 4 (offset % 4 is uniform): one vec4.
        y4[t] = mix(vec4(0.0), x4[t] * SCALE, keep);
        return;
    }
    for (uint l = 0u; l < 4u; l++) {
        uint i = first + l;
        if (i < p.n) y[i] = keep[l] ? x[i] * SCALE : 0.0;
    }
}
