#version 450
// clip_norm: second pass of the global gradient norm, one workgroup: sums
// partial[0, count) in a fixed order and stores sqrt of the total in the
// optimiser state (kernels.OptimState word 2, OptGradNorm).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Pb { float partial[]; };
layout(std430, set = 0, binding = 1) buffer Sb {
    uint step; float lr; float norm; float clipScale; float lrt; float stepSize; float rsbc2; float spare;
} st;
layout(push_constant) uniform P { uint count; } p;

shared float red[gl_WorkGroupSize.x];

void main() {
    uint WG = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
    float s = 0.0;
    for (uint i = lane; i < p.count; i += WG) s += partial[i];
    red[lane] = s;
    barrier();
    for (uint w = WG / 2; w > 0; w >>= 1) {
        if (lane < w) red[lane] += red[lane + w];
        barrier();
    }
    if (lane == 0) st.norm = sqrt(red[0]);
}
