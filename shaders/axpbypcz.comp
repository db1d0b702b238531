#version 450
// axpbypcz: y = a*x + b*g + c*z over n floats, the fused 4-stream update of
// the samplers (one pass over memory instead of three).
// Invocation i < n/4 moves vec4 number i (each binding is also declared as a
// vec4 array: an alias of the same descriptor; buffers are 16-byte aligned);
// invocation n/4 does the n % 4 trailing values through the float view.
// y may be the same buffer as x (in-place): each element is read before it
// is written, by the same invocation.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer G4 { vec4 g4[]; };
layout(std430, set = 0, binding = 2) readonly buffer Z4 { vec4 z4[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, set = 0, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, set = 0, binding = 1) readonly buffer G1 { float g1[]; };
layout(std430, set = 0, binding = 2) readonly buffer Z1 { float z1[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y1 { float y1[]; };
layout(push_constant) uniform P { uint n; float a; float b; float c; } p;

void main() {
    uint i = flat_id();
    uint n4 = p.n >> 2;
    if (i < n4) {
        y4[i] = p.a * x4[i] + p.b * g4[i] + p.c * z4[i];
    } else if (i == n4) {
        for (uint j = n4 << 2; j < p.n; j++) {
            y1[j] = p.a * x1[j] + p.b * g1[j] + p.c * z1[j];
        }
    }
}
