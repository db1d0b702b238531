// The bias-and-activation epilogue of sgemm_reg (included by it when
// EPILOGUE is defined): C = act(alpha * op(A) op(B) + beta * C + bias), bias
// a row of N values added to every row, act a unary op code of
// elementwise_ops.glsl: the graph's Dense layer and its activation, which
// otherwise make two more passes over C (beta 1 adds the product of the
// last slice of a Dense layer's input to the other slices').
#include "elementwise_ops.glsl"

layout(constant_id = 11) const uint ACT = 0;        // kernels.UnaryOp (Identity: bias only)
layout(constant_id = 12) const float ACT_GAMMA = 1.0; // ELU's alpha
layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; };

// The bias of the invocation's TN columns, loaded once per block.
vec4 ep_bias[TN4];

void epilogue_begin(uint col0) {
    for (uint q = 0; q < TN4; q++)
        for (uint j = 0; j < 4; j++) ep_bias[q][j] = bias[min(col0 + 4 * q + j, p.N - 1)];
}

float EP1(float v, uint q, uint j) { return unary_f(ACT, v + ep_bias[q][j], ACT_GAMMA); }

vec4 EP4(vec4 v, uint q) {
    for (uint j = 0; j < 4; j++) v[j] = EP1(v[j], q, j);
    return v;
}
