#version 450
// binary_chunk: the CPU-type variant of binary for the same-shape and
// repeat indexings (MODE 1, 2, 3 as in binary.comp) and for b broadcast
// over planes (MODE 4: b[(i / DIV) % MOD] for element i, binary_planes.comp's
// indexing, with DIV and MOD specialization constants), chunked like
// axpbypcz_chunk: few workgroups, each streaming one contiguous chunk of
// p.per units in a loop, SIMD_W lanes at a time, UNROLL units per lane per
// iteration. A unit is a vec4 (VEC4) or a float. The repeated operand (b for
// MODE 2, a for MODE 3) has p.block units; its index is carried along the
// walk by additions, not a division per element. With VEC4, MODE 2 and 3
// need the block to be whole vec4s (so n % 4 == 0), and MODE 4 whole vec4s
// in each of b's values (DIV % 4 == 0, n % 4 == 0); MODE 1 does the n % 4
// trailing values through the float view. p.per must be a multiple of
// SIMD_W * UNROLL * (local size / SIMD_W). out may be the same buffer as an
// input of n values: each element is read before it is written, by the same
// invocation.
#include "common.glsl"

const uint SIMD_W = 8; // lavapipe's SIMD width for 32-bit values
layout(constant_id = 3) const uint OP = 0;
layout(constant_id = 4) const uint MODE = 1;
layout(constant_id = 5) const uint UNROLL = 1;
layout(constant_id = 6) const bool VEC4 = true;
layout(constant_id = 7) const uint DIV = 1;
layout(constant_id = 8) const uint MOD = 1;

layout(std430, set = 0, binding = 0) readonly buffer A4 { vec4 a4[]; };
layout(std430, set = 0, binding = 1) readonly buffer B4 { vec4 b4[]; };
layout(std430, set = 0, binding = 2) writeonly buffer O4 { vec4 o4[]; };
layout(std430, set = 0, binding = 0) readonly buffer A1 { float a1[]; };
layout(std430, set = 0, binding = 1) readonly buffer B1 { float b1[]; };
layout(std430, set = 0, binding = 2) writeonly buffer O1 { float o1[]; };
layout(push_constant) uniform P { uint n; uint per; uint block; } p;

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

// unit does unit j, r being its index in the repeated operand.
void unit(uint j, uint r) {
    if (MODE == 4u) {
        if (VEC4) {
            o4[j] = op(a4[j], vec4(b1[((j << 2) / DIV) % MOD]));
        } else {
            o1[j] = op(vec4(a1[j]), vec4(b1[(j / DIV) % MOD])).x;
        }
        return;
    }
    uint ia = MODE == 3u ? r : j;
    uint ib = MODE == 2u ? r : j;
    if (VEC4) {
        o4[j] = op(a4[ia], b4[ib]);
    } else {
        o1[j] = op(vec4(a1[ia]), vec4(b1[ib])).x;
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
    // r = i % block, advanced by SIMD_W units at a time (w = SIMD_W % block).
    const bool repeats = MODE == 2u || MODE == 3u;
    uint r = 0, w = 0;
    if (repeats) {
        r = i % p.block;
        w = SIMD_W % p.block;
    }
    // Whole steps: every lane in bounds.
    for (; i + step - lane <= end; i += step) {
        for (uint u = 0; u < UNROLL; u++) {
            unit(i + u * SIMD_W, r);
            if (repeats) {
                r += w;
                r = r >= p.block ? r - p.block : r;
            }
        }
    }
    for (; i < end; i += SIMD_W) {
        unit(i, r);
        if (repeats) {
            r += w;
            r = r >= p.block ? r - p.block : r;
        }
    }
    if (VEC4 && MODE == 1u && i == units && begin + per > units) {
        for (uint j = units << 2; j < p.n; j++) {
            o1[j] = op(vec4(a1[j]), vec4(b1[j])).x;
        }
    }
}
