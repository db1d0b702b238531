// The body of groupnorm and groupnorm_sg (see groupnorm.comp).
#include "common.glsl"
#include "elementwise_ops.glsl"

layout(constant_id = 3) const bool AFFINE = true;
layout(constant_id = 4) const bool SAVE = true;
// ACT is the unary op code (elementwise_ops.glsl) applied last: 0, none;
// an activation (SiLU, ...) when the graph executor fuses one.
layout(constant_id = 5) const uint ACT = 0;

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

void normalize_group(uint grp) {
    const uint t = gl_LocalInvocationID.x, L = gl_WorkGroupSize.x;
    const uint m = p.cg * p.hw, base = grp * m;
    float s = 0.0;
    for (uint j = t; j < m; j += L) s += x[base + j];
    const float mean = wg_sum(vec2(s, 0.0)).x / float(m);
    s = 0.0;
    for (uint j = t; j < m; j += L) {
        float d = x[base + j] - mean;
        s += d * d;
    }
    const float rstd = inversesqrt(wg_sum(vec2(s, 0.0)).x / float(m) + p.eps);
    if (AFFINE) {
        // Channel by channel: no division per element to find its channel
        // (scalarised on CPUs' SIMD units).
        const uint c0 = (grp % p.g) * p.cg;
        for (uint cc = 0; cc < p.cg; cc++) {
            const float a = rstd * gamma[c0 + cc], b = beta[c0 + cc];
            const uint o = base + cc * p.hw;
            for (uint j = t; j < p.hw; j += L) {
                float v = (x[o + j] - mean) * a + b;
                if (ACT != 0) v = unary_f(ACT, v, p.act_param);
                y[o + j] = v;
            }
        }
    } else {
        for (uint j = t; j < m; j += L) {
            float v = (x[base + j] - mean) * rstd;
            if (ACT != 0) v = unary_f(ACT, v, p.act_param);
            y[base + j] = v;
        }
    }
    if (SAVE && t == 0) {
        mean_out[grp] = mean;
        rstd_out[grp] = rstd;
    }
}
