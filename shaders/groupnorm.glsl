// The body of groupnorm and groupnorm_sg (see groupnorm.comp).
#include "common.glsl"
#include "elementwise_ops.glsl"

layout(constant_id = 3) const bool AFFINE = true;
layout(constant_id = 4) const bool SAVE = true;
// ACT is the unary op code (elementwise_ops.glsl) applied last: 0, none;
// an activation (SiLU, ...) when the graph executor fuses one.
layout(constant_id = 5) const uint ACT = 0;
// VEC4: x and y move as vec4 units (the host's promise that a group's
// values, and with AFFINE a channel's, are whole vec4s). Lavapipe gathers
// a lane's loads one by one: a vec4 per lane is four values per gather.
layout(constant_id = 6) const bool VEC4 = false;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer Gm { float gamma[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bt { float beta[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Mn { float mean_out[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Rs { float rstd_out[]; };
layout(push_constant) uniform P {
    uint ng;  // samples * groups
    uint g;   // groups
    uint cg;  // channels per group
    uint hw;  // positions per channel
    float eps;
    float act_param; // ELU's alpha
} p;

#include "wg_sum.glsl"

void normalize_group(uint grp);

void main() {
    // Workgroups loop over (sample, group) pairs: a CPU-type device runs
    // few of them (lavapipe's cost per workgroup is a lock), a GPU one each.
    const uint wgs = gl_NumWorkGroups.x * gl_NumWorkGroups.y;
    for (uint grp = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x; grp < p.ng; grp += wgs)
        normalize_group(grp);
}

// A unit is W values: a vec4 (VEC4) or one float, in .x of a vec4 whose
// other lanes LANES masks out of the sums.
const uint W = VEC4 ? 4 : 1;
const vec4 LANES = VEC4 ? vec4(1.0) : vec4(1.0, 0.0, 0.0, 0.0);

vec4 load_unit(uint i) { return VEC4 ? x4[i] : vec4(x[i], 0.0, 0.0, 0.0); }

// store_unit applies the activation and writes unit i.
void store_unit(uint i, vec4 v) {
    if (ACT != 0)
        for (uint k = 0; k < W; k++) v[k] = unary_f(ACT, v[k], p.act_param);
    if (VEC4) {
        y4[i] = v;
    } else {
        y[i] = v.x;
    }
}

void normalize_group(uint grp) {
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    const uint m = p.cg * p.hw, base = grp * m / W, units = m / W;
    // Mean and variance in one pass, of the values less the group's first
    // (a pivot within a few deviations of the mean, so the variance does
    // not cancel the way E[x^2] - E[x]^2 does around a large mean).
    const float k0 = x[base * W];
    vec4 s1 = vec4(0.0), s2 = vec4(0.0);
    for (uint j = t; j < units; j += L) {
        const vec4 d = (load_unit(base + j) - k0) * LANES;
        s1 += d;
        s2 += d * d;
    }
    const vec2 sums = wg_sum(vec2(dot(s1, vec4(1.0)), dot(s2, vec4(1.0)))) / float(m);
    const float mean = k0 + sums.x;
    const float rstd = inversesqrt(max(sums.y - sums.x * sums.x, 0.0) + p.eps);
    if (AFFINE) {
        // Channel by channel: no division per element to find its channel
        // (scalarised on CPUs' SIMD units).
        const uint c0 = (grp % p.g) * p.cg, hwu = p.hw / W;
        for (uint cc = 0; cc < p.cg; cc++) {
            const float a = rstd * gamma[c0 + cc], b = beta[c0 + cc];
            const uint o = base + cc * hwu;
            for (uint j = t; j < hwu; j += L) store_unit(o + j, (load_unit(o + j) - mean) * a + b);
        }
    } else {
        for (uint j = t; j < units; j += L) store_unit(base + j, (load_unit(base + j) - mean) * rstd);
    }
    if (SAVE && t == 0) {
        mean_out[grp] = mean;
        rstd_out[grp] = rstd;
    }
}
