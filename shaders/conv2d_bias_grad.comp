#version 450
// conv2d_bias_grad: db[o] = sum over samples and positions of gY[n][o][.],
// one workgroup per output channel (2-D grid), a fixed-order tree reduction
// (deterministic). The workgroup width is a power of two.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer GY { float gy[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DB { float db[]; };
layout(push_constant) uniform P {
    uint n, o, hw;
} p;

shared float red[gl_WorkGroupSize.x];

void main() {
    const uint o = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (o >= p.o) return;
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    float s = 0.0;
    for (uint n = 0; n < p.n; n++) {
        const uint base = (n * p.o + o) * p.hw;
        for (uint j = t; j < p.hw; j += L) s += gy[base + j];
    }
    red[t] = s;
    barrier();
    for (uint k = L / 2; k > 0; k /= 2) {
        if (t < k) red[t] += red[t + k];
        barrier();
    }
    if (t == 0) db[o] = red[0];
}
