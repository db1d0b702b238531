#version 450
// channel_sum: y[c] = scale * the sum over samples and positions of
// x[n][c][.] for x [N, C, HW] (a convolution's bias gradient, a GroupNorm
// gamma's: the graph's ReduceSum over every axis but the channels), one
// workgroup per channel (2-D grid), a fixed-order tree reduction
// (deterministic). The workgroup width is a power of two.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n, c, hw;
    float scale;
} p;

shared float red[gl_WorkGroupSize.x];

void main() {
    const uint c = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (c >= p.c) return;
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    float s = 0.0;
    for (uint n = 0; n < p.n; n++) {
        const uint base = (n * p.c + c) * p.hw;
        for (uint j = t; j < p.hw; j += L) s += x[base + j];
    }
    red[t] = s;
    barrier();
    for (uint k = L / 2; k > 0; k /= 2) {
        if (t < k) red[t] += red[t + k];
        barrier();
    }
    if (t == 0) y[c] = p.scale * red[0];
}
