#version 450
// unary: y[i] = f(alpha * x[i] + beta) for i < n, f chosen by specialization
// constant 3 (the op code; see kernels/elementwise.go for the table).
#include "common.glsl"

layout(constant_id = 3) const uint OP = 0;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint n; float alpha; float beta; float gamma; } p;

float softplus(float v) { return v > 20.0 ? v : log(1.0 + exp(v)); }
float sigmoid(float v) { return 1.0 / (1.0 + exp(-v)); }

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    float v = p.alpha * x[i] + p.beta;
    float r;
    switch (OP) {
    case 0: r = v; break;                                   // identity (scale, shift)
    case 1: r = exp(v); break;
    case 2: r = log(v); break;
    case 3: r = sqrt(v); break;
    case 4: r = tanh(v); break;
    case 5: r = sigmoid(v); break;
    case 6: r = softplus(v); break;
    case 7: r = v * sigmoid(v); break;                      // SiLU
    case 8: r = max(v, 0.0); break;                         // ReLU
    case 9: r = v > 0.0 ? v : p.gamma * (exp(v) - 1.0); break; // ELU(gamma)
    case 10: r = 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))); break; // GELU (tanh)
    case 11: r = v * v; break;
    case 12: r = 1.0 / v; break;
    case 13: r = -v; break;
    case 14: r = abs(v); break;
    case 15: r = sin(v); break;
    case 16: r = cos(v); break;
    case 17: r = v > 0.0 ? 1.0 : 0.0; break;                  // Heaviside step
    default: r = v; break;
    }
    y[i] = r;
}
