// The body of groupnorm_grad and groupnorm_grad_sg (see groupnorm_grad.comp).
#include "common.glsl"

layout(constant_id = 3) const bool AFFINE = true;
layout(constant_id = 4) const bool STATS = true;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, set = 0, binding = 2) readonly buffer Gm { float gamma[]; };
layout(std430, set = 0, binding = 3) readonly buffer Mn { float mean_in[]; };
layout(std430, set = 0, binding = 4) readonly buffer Rs { float rstd_in[]; };
layout(std430, set = 0, binding = 5) writeonly buffer DX { float dx[]; };
layout(push_constant) uniform P {
    uint ng, g, cg, hw;
    float eps;
} p;

#include "wg_sum.glsl"

void group_grad(uint grp);

void main() {
    // Workgroups loop over (sample, group) pairs, as in groupnorm.
    const uint wgs = gl_NumWorkGroups.x * gl_NumWorkGroups.y;
    for (uint grp = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x; grp < p.ng; grp += wgs)
        group_grad(grp);
}

void group_grad(uint grp) {
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    const uint m = p.cg * p.hw, base = grp * m;
    const uint c0 = (grp % p.g) * p.cg;
    float mean, rstd;
    if (STATS) {
        mean = mean_in[grp];
        rstd = rstd_in[grp];
    } else {
        float s = 0.0;
        for (uint j = t; j < m; j += L) s += x[base + j];
        mean = wg_sum(vec2(s, 0.0)).x / float(m);
        s = 0.0;
        for (uint j = t; j < m; j += L) {
            float d = x[base + j] - mean;
            s += d * d;
        }
        rstd = inversesqrt(wg_sum(vec2(s, 0.0)).x / float(m) + p.eps);
    }
    vec2 s = vec2(0.0);
    for (uint j = t; j < m; j += L) {
        float g = gy[base + j];
        if (AFFINE) g *= gamma[c0 + j / p.hw];
        s += vec2(g, g * (x[base + j] - mean) * rstd);
    }
    const vec2 mg = wg_sum(s) / float(m);
    for (uint j = t; j < m; j += L) {
        float g = gy[base + j];
        if (AFFINE) g *= gamma[c0 + j / p.hw];
        float xh = (x[base + j] - mean) * rstd;
        dx[base + j] = rstd * (g - mg.x - xh * mg.y);
    }
}
