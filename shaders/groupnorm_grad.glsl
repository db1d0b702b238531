// The body of groupnorm_grad and groupnorm_grad_sg (see groupnorm_grad.comp).
#include "common.glsl"

layout(constant_id = 3) const bool AFFINE = true;
layout(constant_id = 4) const bool STATS = true;

// VEC4 (without AFFINE): x, gy and dx move as vec4 units, the host's
// promise that a group's values are whole vec4s (see groupnorm).
layout(constant_id = 5) const bool VEC4 = false;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer GY { float gy[]; };
layout(std430, set = 0, binding = 1) readonly buffer GY4 { vec4 gy4[]; };
layout(std430, set = 0, binding = 2) readonly buffer Gm { float gamma[]; };
layout(std430, set = 0, binding = 3) readonly buffer Mn { float mean_in[]; };
layout(std430, set = 0, binding = 4) readonly buffer Rs { float rstd_in[]; };
layout(std430, set = 0, binding = 5) writeonly buffer DX { float dx[]; };
layout(std430, set = 0, binding = 5) writeonly buffer DX4 { vec4 dx4[]; };
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

// group_grad4 is group_grad without AFFINE in vec4 units.
void group_grad4(uint grp) {
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    const uint m = p.cg * p.hw, base = grp * m / 4, units = m / 4;
    const vec4 one = vec4(1.0);
    float mean, rstd;
    vec2 mg;
    if (STATS) {
        mean = mean_in[grp];
        rstd = rstd_in[grp];
        vec4 sg = vec4(0.0), sgx = vec4(0.0);
        for (uint j = t; j < units; j += L) {
            vec4 g = gy4[base + j];
            sg += g;
            sgx += g * (x4[base + j] - mean) * rstd;
        }
        mg = wg_sum(vec2(dot(sg, one), dot(sgx, one))) / float(m);
    } else {
        // The statistics and the two sums of gy in one pass, about a pivot
        // (the group's first value; see groupnorm).
        const float k0 = x[base * 4];
        vec4 s1 = vec4(0.0), s2 = vec4(0.0), sg = vec4(0.0), sgd = vec4(0.0);
        for (uint j = t; j < units; j += L) {
            const vec4 d = x4[base + j] - k0, g = gy4[base + j];
            s1 += d;
            s2 += d * d;
            sg += g;
            sgd += g * d;
        }
        const vec2 sx = wg_sum(vec2(dot(s1, one), dot(s2, one))) / float(m);
        const vec2 sgs = wg_sum(vec2(dot(sg, one), dot(sgd, one))) / float(m);
        mean = k0 + sx.x;
        rstd = inversesqrt(max(sx.y - sx.x * sx.x, 0.0) + p.eps);
        // mean of g (x - mean) rstd = rstd (mean of g d - (mean - k0) mean of g)
        mg = vec2(sgs.x, rstd * (sgs.y - sx.x * sgs.x));
    }
    for (uint j = t; j < units; j += L) {
        vec4 xh = (x4[base + j] - mean) * rstd;
        dx4[base + j] = rstd * (gy4[base + j] - mg.x - xh * mg.y);
    }
}

void group_grad(uint grp) {
    if (VEC4 && !AFFINE) {
        group_grad4(grp);
        return;
    }
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
