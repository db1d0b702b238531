#version 450
// random: y[i] = value number offset + i of the stream (seed, stream, step),
// for i < n, with KIND = specialization constant 3 (0 uniform, 1 normal,
// 2 Rademacher); see philox.glsl and rng/doc.go for the mapping. Invocation
// t computes Philox block p.block0 + t, which holds the global indices
// 4 (block0 + t) ... + 3, and writes those that fall in [offset, offset + n)
// (p.phase = offset % 4). Values depend only on the key and the index, never
// on the workgroup size.
#include "common.glsl"
#include "philox.glsl"

layout(constant_id = 3) const uint KIND = 0;
layout(std430, set = 0, binding = 0) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n;
    uint seed_lo;
    uint seed_hi;
    uint stream;
    uint step;
    uint block0;
    uint phase;
} p;

void main() {
    uint t = flat_id();
    // Output position of lane 0 of this block (may be "negative" for t = 0).
    uint first = 4u * t - p.phase;
    if (t > (p.n + p.phase - 1u) / 4u || p.n == 0u) return;
    uvec4 w = philox4x32_10(uvec4(p.block0 + t, p.step, p.stream, 0u), uvec2(p.seed_lo, p.seed_hi));
    vec4 v;
    if (KIND == 0u) {
        v = vec4(philox_uniform(w.x), philox_uniform(w.y), philox_uniform(w.z), philox_uniform(w.w));
    } else if (KIND == 1u) {
        v = vec4(philox_normal_pair(w.x, w.y), philox_normal_pair(w.z, w.w));
    } else {
        v = vec4((w >> 31u) * 2u) - 1.0;
    }
    for (uint l = 0u; l < 4u; l++) {
        uint i = first + l;   // wraps past 2^32 for the lanes before offset
        if (i < p.n) y[i] = v[l];
    }
}
