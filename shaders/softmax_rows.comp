#version 450
// softmax_rows: the row softmax of attention's GEMM path (attention_gemm.go),
// in place: for each of p.rows rows of p.L scores,
//   s <- exp(s - max) / sum,   lse[row] = max + log(sum)
// (natural log; sum of exp(s - max)). One dispatch for what a max, a
// subtraction, an exponential, a sum and a division took as five, with
// three passes over the row instead of eight. One invocation per row
// (flat_id); with VEC4 (L a multiple of 4) the row is read and written as
// vec4s.
#include "common.glsl"

layout(constant_id = 3) const bool VEC4 = false;

layout(std430, set = 0, binding = 0) buffer S { float s[]; };
layout(std430, set = 0, binding = 0) buffer S4 { vec4 s4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer LSE { float lse[]; };
layout(push_constant) uniform P { uint rows, L; } p;

void main() {
    const uint row = flat_id();
    if (row >= p.rows) return;
    const uint L = p.L, base = row * L;
    float m = -3.0e38, sum = 0.0;
    if (VEC4) {
        const uint b4 = base / 4, n4 = L / 4;
        vec4 mv = vec4(-3.0e38);
        for (uint j = 0; j < n4; j++) mv = max(mv, s4[b4 + j]);
        m = max(max(mv.x, mv.y), max(mv.z, mv.w));
        vec4 sv = vec4(0.0);
        for (uint j = 0; j < n4; j++) {
            const vec4 e = exp(s4[b4 + j] - m);
            s4[b4 + j] = e;
            sv += e;
        }
        sum = (sv.x + sv.y) + (sv.z + sv.w);
        const float inv = 1.0 / sum;
        for (uint j = 0; j < n4; j++) s4[b4 + j] *= inv;
    } else {
        for (uint j = 0; j < L; j++) m = max(m, s[base + j]);
        for (uint j = 0; j < L; j++) {
            const float e = exp(s[base + j] - m);
            s[base + j] = e;
            sum += e;
        }
        const float inv = 1.0 / sum;
        for (uint j = 0; j < L; j++) s[base + j] *= inv;
    }
    lse[row] = m + log(sum);
}
