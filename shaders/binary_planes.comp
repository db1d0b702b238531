#version 450
// binary_planes: out[i] = a[i] OP b[(i / DIV) % MOD] for a and out of n
// values: b broadcast along a's leading and trailing dimensions, as a
// per-channel bias [C, 1, 1] or a per-sample, per-channel time embedding
// [N, C, 1, 1] meets an image batch [N, C, H, W]. binary.comp computes
// such a broadcast with run-time divisions per dimension and element (30%
// of a U-Net's score evaluation on lavapipe); here DIV and MOD are
// specialization constants, so the index is a multiply and a shift.
//
// Each invocation does 4 consecutive values: with VEC4 (the host's promise
// that DIV and n are multiples of 4) they share b's value and move as one
// vec4; otherwise one by one. OP is binary.comp's op code. 1-D over
// ceil(n / 4) invocations (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint OP = 0;
layout(constant_id = 4) const uint DIV = 1;
layout(constant_id = 5) const uint MOD = 1;
layout(constant_id = 6) const bool VEC4 = true;

layout(std430, set = 0, binding = 0) readonly buffer A4 { vec4 a4[]; };
layout(std430, set = 0, binding = 0) readonly buffer A1 { float a1[]; };
layout(std430, set = 0, binding = 1) readonly buffer B1 { float b1[]; };
layout(std430, set = 0, binding = 2) writeonly buffer O4 { vec4 o4[]; };
layout(std430, set = 0, binding = 2) writeonly buffer O1 { float o1[]; };
layout(push_constant) uniform P { uint n; } p;

// op is binary.comp's switch, component-wise.
vec4 op(vec4 x, vec4 y) {
    switch (OP) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    case 4: return max(x, y);
    case 5: return min(x, y);
    case 6: return pow(x, y);
    case 7: return vec4(equal(x, y));
    default: return x;
    }
}

void main() {
    const uint q = flat_id(), i0 = 4 * q;
    if (i0 >= p.n) return;
    if (VEC4) {
        o4[q] = op(a4[q], vec4(b1[(i0 / DIV) % MOD]));
        return;
    }
    for (uint j = 0; j < 4; j++) {
        const uint i = i0 + j;
        if (i < p.n) o1[i] = op(vec4(a1[i]), vec4(b1[(i / DIV) % MOD])).x;
    }
}
