#version 450
// groupnorm_param_grad: dgamma[c] = sum over samples and positions of
// gy * (x - mean) * rstd, dbeta[c] = sum of gy, with the saved per-(sample,
// group) statistics. One workgroup per channel (2-D grid), fixed-order
// reductions, so the result is deterministic.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, set = 0, binding = 2) readonly buffer Mn { float mean_in[]; };
layout(std430, set = 0, binding = 3) readonly buffer Rs { float rstd_in[]; };
layout(std430, set = 0, binding = 4) writeonly buffer DG { float dgamma[]; };
layout(std430, set = 0, binding = 5) writeonly buffer DB { float dbeta[]; };
layout(push_constant) uniform P {
    uint n, c, g, hw;
} p;

shared vec2 red[gl_WorkGroupSize.x];

void main() {
    const uint c = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (c >= p.c) return;
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    const uint grp = c / (p.c / p.g);
    vec2 s = vec2(0.0);
    for (uint n = 0; n < p.n; n++) {
        const uint base = (n * p.c + c) * p.hw, ng = n * p.g + grp;
        const float mean = mean_in[ng], rstd = rstd_in[ng];
        for (uint j = t; j < p.hw; j += L) {
            float g = gy[base + j];
            s += vec2(g * (x[base + j] - mean) * rstd, g);
        }
    }
    red[t] = s;
    barrier();
    for (uint k = L / 2; k > 0; k /= 2) {
        if (t < k) red[t] += red[t + k];
        barrier();
    }
    if (t == 0) {
        dgamma[c] = red[0].x;
        dbeta[c] = red[0].y;
    }
}
