#version 450
// groupnorm: y = (x - mean) * rstd [* gamma[c] + beta[c]] over NCHW x, with
// mean and rstd = 1/sqrt(var + eps) per (sample, group) over the group's
// C/G channels and H*W positions (contiguous in NCHW). One workgroup per
// (sample, group) (2-D grid); a fixed-order tree reduction in shared memory
// makes the result deterministic. The workgroup width is a power of two.
// mean and rstd are saved for the backward pass when SAVE.
#include "common.glsl"

layout(constant_id = 3) const bool AFFINE = true;
layout(constant_id = 4) const bool SAVE = true;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Gm { float gamma[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bt { float beta[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Mn { float mean_out[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Rs { float rstd_out[]; };
layout(push_constant) uniform P {
    uint ng;  // samples * groups
    uint g;   // groups
    uint cg;  // channels per group
    uint hw;  // positions per channel
    float eps;
} p;

shared float red[gl_WorkGroupSize.x];

float wg_sum(float v) {
    const uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s /= 2) {
        if (t < s) red[t] += red[t + s];
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}

void main() {
    const uint grp = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (grp >= p.ng) return; // uniform per workgroup
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    const uint m = p.cg * p.hw, base = grp * m;
    float s = 0.0;
    for (uint j = t; j < m; j += L) s += x[base + j];
    const float mean = wg_sum(s) / float(m);
    s = 0.0;
    for (uint j = t; j < m; j += L) {
        float d = x[base + j] - mean;
        s += d * d;
    }
    const float rstd = inversesqrt(wg_sum(s) / float(m) + p.eps);
    const uint c0 = (grp % p.g) * p.cg;
    for (uint j = t; j < m; j += L) {
        float v = (x[base + j] - mean) * rstd;
        if (AFFINE) {
            uint c = c0 + j / p.hw;
            v = v * gamma[c] + beta[c];
        }
        y[base + j] = v;
    }
    if (SAVE && t == 0) {
        mean_out[grp] = mean;
        rstd_out[grp] = rstd;
    }
}
