#version 450
// softmax_grad_rows: the softmax gradient of attention's GEMM path
// (attention_gemm.go): for each of p.rows rows of probabilities P and
// their gradient dP,
//   delta[row] = sum_j P_j dP_j,   dP <- P (dP - delta)   (in place)
// One dispatch for what two products, a sum and a subtraction took as
// four, in two passes over the rows. One invocation per row (flat_id);
// with VEC4 (L a multiple of 4) the rows are read and written as vec4s.
#include "common.glsl"

layout(constant_id = 3) const bool VEC4 = false;

layout(std430, set = 0, binding = 0) readonly buffer Pb { float pr[]; };
layout(std430, set = 0, binding = 0) readonly buffer P4 { vec4 pr4[]; };
layout(std430, set = 0, binding = 1) buffer D { float dp[]; };
layout(std430, set = 0, binding = 1) buffer D4 { vec4 dp4[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Delta { float delta[]; };
layout(push_constant) uniform P { uint rows, L; } p;

void main() {
    const uint row = flat_id();
    if (row >= p.rows) return;
    const uint L = p.L, base = row * L;
    float d = 0.0;
    if (VEC4) {
        const uint b4 = base / 4, n4 = L / 4;
        vec4 dv = vec4(0.0);
        for (uint j = 0; j < n4; j++) dv += pr4[b4 + j] * dp4[b4 + j];
        d = (dv.x + dv.y) + (dv.z + dv.w);
        for (uint j = 0; j < n4; j++) dp4[b4 + j] = pr4[b4 + j] * (dp4[b4 + j] - d);
    } else {
        for (uint j = 0; j < L; j++) d += pr[base + j] * dp[base + j];
        for (uint j = 0; j < L; j++) dp[base + j] = pr[base + j] * (dp[base + j] - d);
    }
    delta[row] = d;
}
