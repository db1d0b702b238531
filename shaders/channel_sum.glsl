// The body of channel_sum and channel_sum_sg (see channel_sum.comp).
#include "common.glsl"

// VEC4: x moves as vec4s, the host's promise that hw is a multiple of 4.
layout(constant_id = 3) const bool VEC4 = false;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n, c, hw;
    float scale;
} p;

#include "wg_sum.glsl"

void main() {
    const uint c = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (c >= p.c) return; // uniform per workgroup
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    float s = 0.0;
    if (VEC4) {
        const uint hw4 = p.hw / 4;
        vec4 s4 = vec4(0.0);
        for (uint n = 0; n < p.n; n++) {
            const uint base = (n * p.c + c) * hw4;
            for (uint j = t; j < hw4; j += L) s4 += x4[base + j];
        }
        s = dot(s4, vec4(1.0));
    } else {
        for (uint n = 0; n < p.n; n++) {
            const uint base = (n * p.c + c) * p.hw;
            for (uint j = t; j < p.hw; j += L) s += x[base + j];
        }
    }
    s = wg_sum(vec2(s, 0.0)).x;
    if (t == 0) y[c] = p.scale * s;
}
