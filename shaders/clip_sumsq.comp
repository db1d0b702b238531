#version 450
// clip_sumsq: first pass of the global gradient norm. Workgroup g sums the
// squares of g[g*WG*PER, (g+1)*WG*PER) (each invocation a fixed strided
// subset, then a fixed-shape tree in shared memory) into partial[off + g].
// The order of additions depends only on n and the workgroup shape, so the
// result is bit-identical from run to run (no atomics).
#include "common.glsl"

layout(constant_id = 3) const uint PER = 16;   // values per invocation
layout(std430, set = 0, binding = 0) readonly buffer Gb { float g[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Pb { float partial[]; };
layout(push_constant) uniform P { uint n; uint off; } p;

shared float red[gl_WorkGroupSize.x];

void main() {
    uint WG = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
    uint grp = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (grp * WG * PER >= p.n) return;   // spill groups of a 2-D grid (uniform)
    uint start = grp * WG * PER + lane;
    float s = 0.0;
    for (uint k = 0; k < PER; k++) {
        uint i = start + k * WG;
        if (i < p.n) s += g[i] * g[i];
    }
    red[lane] = s;
    barrier();
    for (uint w = WG / 2; w > 0; w >>= 1) {
        if (lane < w) red[lane] += red[lane + w];
        barrier();
    }
    if (lane == 0) partial[p.off + grp] = red[0];
}
