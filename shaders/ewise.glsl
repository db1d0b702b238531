// The body of ewise.comp and ewise4.comp: a fused elementwise program
// (kernels.EwiseProgram: a run of unary and binary ops that the graph
// executor found between memory round trips) over n elements. The program is specialization constants: up to 16
// instructions of four words each, so every branch below and every
// register index folds away when the pipeline is made and the result is
// the straight-line code a hand-written kernel would have (an interpreter
// loop runs every case under masks on lavapipe). Instruction k is
// S<k>_0..3; w0 packs op | dst << 4 | a << 8 | b << 12 | code << 16 |
// k << 24:
//   0 NOP
//   1 LOAD   r[dst] = input k at index i (w3 == 0) or (i / w1) % w2
//   2 CONST  r[dst] = float(w1)
//   3 UNARY  r[dst] = unary_f(code, float(w1) * r[a] + float(w2), float(w3))
//   4 BINARY r[dst] = binary_f(code, r[a], r[b])
//   5 STORE  output k at index i = r[a]
// Unused input and output bindings are bound to buffers the dispatch uses
// anyway. Grid-stride over the 1-D (or 2-D spilled) grid, or one chunk per
// workgroup (CHUNKED); the host sizes the grid so that no invocation runs
// more than lavapipe's 65535 loop iterations (its budget per invocation,
// kernels/looplimit.go).
#include "common.glsl"
#include "elementwise_ops.glsl"
#ifdef EWISE_VEC4
#include "elementwise_ops4.glsl"
#endif

const uint NREG = 16;

#define SLOT(k) \
    layout(constant_id = 3 + 4 * k) const uint S##k##_0 = 0u; \
    layout(constant_id = 4 + 4 * k) const uint S##k##_1 = 0u; \
    layout(constant_id = 5 + 4 * k) const uint S##k##_2 = 0u; \
    layout(constant_id = 6 + 4 * k) const uint S##k##_3 = 0u;
SLOT(0)
SLOT(1)
SLOT(2)
SLOT(3)
SLOT(4)
SLOT(5)
SLOT(6)
SLOT(7)
SLOT(8)
SLOT(9)
SLOT(10)
SLOT(11)
SLOT(12)
SLOT(13)
SLOT(14)
SLOT(15)

layout(std430, set = 0, binding = 0) readonly buffer I0 { float in0[]; };
layout(std430, set = 0, binding = 1) readonly buffer I1 { float in1[]; };
layout(std430, set = 0, binding = 2) readonly buffer I2 { float in2[]; };
layout(std430, set = 0, binding = 3) readonly buffer I3 { float in3[]; };
layout(std430, set = 0, binding = 4) readonly buffer I4 { float in4[]; };
layout(std430, set = 0, binding = 5) readonly buffer I5 { float in5[]; };
layout(std430, set = 0, binding = 6) writeonly buffer O0 { float out0[]; };
layout(std430, set = 0, binding = 7) writeonly buffer O1 { float out1[]; };
layout(std430, set = 0, binding = 8) writeonly buffer O2 { float out2[]; };
// EWISE_VEC4 (ewise4.comp): each index i is the 4 elements 4i .. 4i+3 (n a
// multiple of 4, p.n and p.per counted in vec4s): vec4 loads and stores
// where the index is i, one load made a vec4 where the 4 elements share a
// broadcast value (the divisor a multiple of 4), 4 loads otherwise, and the
// ops on vec4s (elementwise_ops4.glsl). lavapipe moves a vec4 for little
// more than a float. A module of its own, so that making a program's
// pipeline translates one path only.
#ifdef EWISE_VEC4
// The same bindings as vec4s.
layout(std430, set = 0, binding = 0) readonly buffer V0 { vec4 in0v[]; };
layout(std430, set = 0, binding = 1) readonly buffer V1 { vec4 in1v[]; };
layout(std430, set = 0, binding = 2) readonly buffer V2 { vec4 in2v[]; };
layout(std430, set = 0, binding = 3) readonly buffer V3 { vec4 in3v[]; };
layout(std430, set = 0, binding = 4) readonly buffer V4 { vec4 in4v[]; };
layout(std430, set = 0, binding = 5) readonly buffer V5 { vec4 in5v[]; };
layout(std430, set = 0, binding = 6) writeonly buffer W0 { vec4 out0v[]; };
layout(std430, set = 0, binding = 7) writeonly buffer W1 { vec4 out1v[]; };
layout(std430, set = 0, binding = 8) writeonly buffer W2 { vec4 out2v[]; };
#endif
// Workgroup layout: false, a grid-stride loop over the whole grid (GPUs);
// true, one contiguous chunk of per elements per workgroup.
layout(constant_id = 67) const bool CHUNKED = false;
layout(push_constant) uniform P {
    uint n;
    uint per; // elements per workgroup when CHUNKED
} p;

float load(uint k, uint j) {
    switch (k) {
    case 0: return in0[j];
    case 1: return in1[j];
    case 2: return in2[j];
    case 3: return in3[j];
    case 4: return in4[j];
    default: return in5[j];
    }
}

void store(uint k, uint j, float v) {
    switch (k) {
    case 0: out0[j] = v; break;
    case 1: out1[j] = v; break;
    default: out2[j] = v; break;
    }
}

#ifdef EWISE_VEC4
vec4 load4(uint k, uint j) {
    switch (k) {
    case 0: return in0v[j];
    case 1: return in1v[j];
    case 2: return in2v[j];
    case 3: return in3v[j];
    case 4: return in4v[j];
    default: return in5v[j];
    }
}

void store4(uint k, uint j, vec4 v) {
    switch (k) {
    case 0: out0v[j] = v; break;
    case 1: out1v[j] = v; break;
    default: out2v[j] = v; break;
    }
}

// gather4 loads input k at the 4 indices j.
vec4 gather4(uint k, uvec4 j) {
    switch (k) {
    case 0: return vec4(in0[j.x], in0[j.y], in0[j.z], in0[j.w]);
    case 1: return vec4(in1[j.x], in1[j.y], in1[j.z], in1[j.w]);
    case 2: return vec4(in2[j.x], in2[j.y], in2[j.z], in2[j.w]);
    case 3: return vec4(in3[j.x], in3[j.y], in3[j.z], in3[j.w]);
    case 4: return vec4(in4[j.x], in4[j.y], in4[j.z], in4[j.w]);
    default: return vec4(in5[j.x], in5[j.y], in5[j.z], in5[j.w]);
    }
}

// bload is a broadcast load (i / div) % mod for the 4 elements of vec4 i.
vec4 bload(uint k, uint i, uint div, uint mod) {
    if (div % 4u == 0u) return vec4(load(k, (4u * i / div) % mod));
    return gather4(k, ((4u * i + uvec4(0u, 1u, 2u, 3u)) / div) % mod);
}

void run4(uint w0, uint w1, uint w2, uint w3, uint i, inout vec4 r[NREG]) {
    const uint dst = (w0 >> 4) & 15u, a = (w0 >> 8) & 15u, b = (w0 >> 12) & 15u;
    const uint code = (w0 >> 16) & 255u, k = w0 >> 24;
    switch (w0 & 15u) {
    case 1: r[dst] = w3 == 0u ? load4(k, i) : bload(k, i, w1, w2); break;
    case 2: r[dst] = vec4(uintBitsToFloat(w1)); break;
    case 3: r[dst] = unary_f4(code, uintBitsToFloat(w1) * r[a] + uintBitsToFloat(w2), uintBitsToFloat(w3)); break;
    case 4: r[dst] = binary_f4(code, r[a], r[b]); break;
    case 5: store4(k, i, r[a]); break;
    default: break;
    }
}

#else
void run(uint w0, uint w1, uint w2, uint w3, uint i, inout float r[NREG]) {
    const uint dst = (w0 >> 4) & 15u, a = (w0 >> 8) & 15u, b = (w0 >> 12) & 15u;
    const uint code = (w0 >> 16) & 255u, k = w0 >> 24;
    switch (w0 & 15u) {
    case 1: r[dst] = load(k, w3 == 0u ? i : (i / w1) % w2); break;
    case 2: r[dst] = uintBitsToFloat(w1); break;
    case 3: r[dst] = unary_f(code, uintBitsToFloat(w1) * r[a] + uintBitsToFloat(w2), uintBitsToFloat(w3)); break;
    case 4: r[dst] = binary_f(code, r[a], r[b]); break;
    case 5: store(k, i, r[a]); break;
    default: break;
    }
}

#endif

#define RUN(k) run(S##k##_0, S##k##_1, S##k##_2, S##k##_3, i, r)
#define RUN4(k) run4(S##k##_0, S##k##_1, S##k##_2, S##k##_3, i, r4)

void main() {
    // One loop for both layouts, so the program is expanded once: lavapipe
    // translates the whole module for each fused program it compiles.
    uint i, end, stride;
    if (CHUNKED) {
        // CPU-type devices: workgroup g streams elements [g*per, (g+1)*per)
        // in steps of its width (lavapipe's SIMD width), so each SIMD pass
        // reads whole cache lines in order. A grid-stride loop would have
        // every pass sweep the whole array touching part of each line.
        const uint g = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
        i = g * p.per + gl_LocalInvocationIndex;
        end = min(g * p.per + p.per, p.n);
        stride = gl_WorkGroupSize.x;
    } else {
        i = flat_id();
        end = p.n;
        stride = gl_NumWorkGroups.x * gl_NumWorkGroups.y * gl_WorkGroupSize.x;
    }
    for (; i < end; i += stride) {
#ifdef EWISE_VEC4
        vec4 r4[NREG];
        RUN4(0); RUN4(1); RUN4(2); RUN4(3); RUN4(4); RUN4(5); RUN4(6); RUN4(7);
        RUN4(8); RUN4(9); RUN4(10); RUN4(11); RUN4(12); RUN4(13); RUN4(14); RUN4(15);
#else
        float r[NREG];
        RUN(0); RUN(1); RUN(2); RUN(3); RUN(4); RUN(5); RUN(6); RUN(7);
        RUN(8); RUN(9); RUN(10); RUN(11); RUN(12); RUN(13); RUN(14); RUN(15);
#endif
    }
}
