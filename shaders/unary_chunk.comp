#version 450
// unary_chunk: the CPU-type variant of unary (y = f(alpha*x + beta) over n
// floats), chunked like axpbypcz_chunk: few workgroups, each streaming one
// contiguous chunk of p.per units in a loop, SIMD_W lanes at a time, UNROLL
// units per lane per iteration. A unit is a vec4 (VEC4) or a float; with
// VEC4, unit number n/4 does the n % 4 trailing values through the float
// view. p.per must be a multiple of SIMD_W * UNROLL * (local size / SIMD_W).
// y may be the same buffer as x: each element is read before it is written,
// by the same invocation.
#include "common.glsl"

const uint SIMD_W = 8; // lavapipe's SIMD width for 32-bit values
layout(constant_id = 3) const uint OP = 0;
layout(constant_id = 4) const uint UNROLL = 1;
layout(constant_id = 5) const bool VEC4 = true;

layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, set = 0, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y1 { float y1[]; };
layout(push_constant) uniform P { uint n; float alpha; float beta; float gamma; uint per; } p;

vec4 sigmoid(vec4 v) { return 1.0 / (1.0 + exp(-v)); }

// f is unary.comp's switch, component-wise.
vec4 f(vec4 x) {
    vec4 v = p.alpha * x + p.beta;
    switch (OP) {
    case 0: return v;
    case 1: return exp(v);
    case 2: return log(v);
    case 3: return sqrt(v);
    case 4: return tanh(v);
    case 5: return sigmoid(v);
    case 6: return mix(log(1.0 + exp(v)), v, greaterThan(v, vec4(20.0)));
    case 7: return v * sigmoid(v);
    case 8: return max(v, 0.0);
    case 9: return mix(p.gamma * (exp(v) - 1.0), v, greaterThan(v, vec4(0.0)));
    case 10: return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    case 11: return v * v;
    case 12: return 1.0 / v;
    case 13: return -v;
    case 14: return abs(v);
    case 15: return sin(v);
    case 16: return cos(v);
    case 17: return vec4(greaterThan(v, vec4(0.0)));
    default: return v;
    }
}

void unit(uint j) {
    if (VEC4) {
        y4[j] = f(x4[j]);
    } else {
        y1[j] = f(vec4(x1[j])).x;
    }
}

void main() {
    uint units = VEC4 ? p.n >> 2 : p.n;
    uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    uint lane = gl_LocalInvocationIndex % SIMD_W;
    uint pass = gl_LocalInvocationIndex / SIMD_W;
    uint passes = gl_WorkGroupSize.x / SIMD_W;
    uint per = p.per / passes; // units per SIMD pass
    uint begin = group * p.per + pass * per;
    uint end = min(begin + per, units);
    uint step = SIMD_W * UNROLL;
    uint i = begin + lane;
    // Whole steps: every lane in bounds.
    for (; i + step - lane <= end; i += step) {
        for (uint u = 0; u < UNROLL; u++) {
            unit(i + u * SIMD_W);
        }
    }
    for (; i < end; i += SIMD_W) {
        unit(i);
    }
    if (VEC4 && i == units && begin + per > units) {
        for (uint j = units << 2; j < p.n; j++) {
            y1[j] = f(vec4(x1[j])).x;
        }
    }
}
