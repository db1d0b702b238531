#version 450
// unary: y[i] = f(alpha * x[i] + beta) for i < n, f chosen by specialization
// constant 3 (the op code; see kernels/elementwise.go for the table).
#include "common.glsl"
#include "elementwise_ops.glsl"

layout(constant_id = 3) const uint OP = 0;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint n; float alpha; float beta; float gamma; } p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    float v = p.alpha * x[i] + p.beta;
    y[i] = unary_f(OP, v, p.gamma);
}
