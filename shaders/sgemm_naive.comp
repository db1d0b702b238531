#version 450
// sgemm_naive: C = alpha * op(A) op(B) + beta * C, one output per invocation,
// the simplest variant (the benchmarks' baseline). Grid (columns, rows,
// batch), clamped by the host to maxComputeWorkGroupCount; invocations loop
// over whatever the grid misses.
#include "common.glsl"

layout(constant_id = 3) const bool TA = false; // A is stored K x M
layout(constant_id = 4) const bool TB = false; // B is stored N x K

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) buffer C { float c[]; };
layout(push_constant) uniform P {
    uint M, N, K;
    float alpha, beta;
    uint sa, sb, sc;
    uint batch;
} p;

void main() {
    const uint M = p.M, N = p.N, K = p.K;
    const uvec3 step = gl_NumWorkGroups * gl_WorkGroupSize;
    for (uint z = gl_WorkGroupID.z; z < p.batch; z += gl_NumWorkGroups.z) {
        const uint oa = z * p.sa, ob = z * p.sb, oc = z * p.sc;
        for (uint r = gl_GlobalInvocationID.y; r < M; r += step.y) {
            for (uint cc = gl_GlobalInvocationID.x; cc < N; cc += step.x) {
                float s = 0.0;
                for (uint k = 0; k < K; k++) {
                    const float x = TA ? a[oa + k * M + r] : a[oa + r * K + k];
                    const float y = TB ? b[ob + cc * K + k] : b[ob + k * N + cc];
                    s += x * y;
                }
                const uint o = oc + r * N + cc;
                const float v = p.alpha * s;
                c[o] = p.beta == 0.0 ? v : v + p.beta * c[o];
            }
        }
    }
}
