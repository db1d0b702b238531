#version 450
#extension GL_ARB_gpu_shader_int64 : require
// axpbypcz_texels: the CPU-type variant of axpbypcz (y = a*x + b*g + c*z over
// n floats). x, g and z are read as RGBA32F texel buffers, which lavapipe
// fetches as whole vectors (its storage-buffer loads and stores go one lane
// and one component at a time). y is written as 64-bit words, two floats a
// store: half the stores of vec4 ones (1.36x faster on lavapipe). A unit
// is 8 floats (two texels). Few workgroups, each streaming one contiguous
// chunk of p.per units in a loop: lavapipe runs a workgroup on one thread,
// SIMD_W lanes at a time, so each thread walks memory sequentially and
// pays its per-workgroup cost (a lock in its thread pool) only a few times.
// Per iteration lane l moves the units base + k*SIMD_W*UNROLL + u*SIMD_W +
// l, u < UNROLL. p.per must be a multiple of SIMD_W * UNROLL. Unit number
// n/8 does the n % 8 trailing values through the scalar storage views
// (bindings 4-6 are x, g and z again), which the texel views may not cover.
// y may be the same buffer as x: each element is read before it is written,
// by the same invocation.
#include "common.glsl"

layout(constant_id = 3) const uint SIMD_W = 8;
layout(constant_id = 4) const uint UNROLL = 1;

layout(set = 0, binding = 0) uniform samplerBuffer X;
layout(set = 0, binding = 1) uniform samplerBuffer G;
layout(set = 0, binding = 2) uniform samplerBuffer Z;
layout(std430, set = 0, binding = 3) writeonly buffer Y8 { u64vec4 y8[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y1 { float y1[]; };
layout(std430, set = 0, binding = 4) readonly buffer X1 { float x1[]; };
layout(std430, set = 0, binding = 5) readonly buffer G1 { float g1[]; };
layout(std430, set = 0, binding = 6) readonly buffer Z1 { float z1[]; };
layout(push_constant) uniform P { uint n; float a; float b; float c; uint per; } p;

// pack8 is a then b as four 64-bit words, each float pair in memory order
// (the low half first: Vulkan devices are little-endian).
u64vec4 pack8(vec4 a, vec4 b) {
    uvec4 ua = floatBitsToUint(a), ub = floatBitsToUint(b);
    return u64vec4(packUint2x32(ua.xy), packUint2x32(ua.zw), packUint2x32(ub.xy), packUint2x32(ub.zw));
}

vec4 update(uint j) {
    int t = int(j);
    return p.a * texelFetch(X, t) + p.b * texelFetch(G, t) + p.c * texelFetch(Z, t);
}

void main() {
    uint n8 = p.n >> 3;
    uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    uint lane = gl_LocalInvocationIndex % SIMD_W;
    uint pass = gl_LocalInvocationIndex / SIMD_W;
    uint passes = gl_WorkGroupSize.x / SIMD_W;
    uint per = p.per / passes; // units per SIMD pass
    uint begin = group * p.per + pass * per;
    uint end = min(begin + per, n8);
    uint step = SIMD_W * UNROLL;
    uint i = begin + lane;
    // Whole steps: every lane in bounds.
    for (; i + step - lane <= end; i += step) {
        for (uint u = 0; u < UNROLL; u++) {
            uint j = i + u * SIMD_W;
            y8[j] = pack8(update(2 * j), update(2 * j + 1));
        }
    }
    for (; i < end; i += SIMD_W) {
        y8[i] = pack8(update(2 * i), update(2 * i + 1));
    }
    if (i == n8 && begin + per > n8) {
        for (uint j = n8 << 3; j < p.n; j++) {
            y1[j] = p.a * x1[j] + p.b * g1[j] + p.c * z1[j];
        }
    }
}
