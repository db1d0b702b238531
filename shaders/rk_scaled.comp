#version 450
// rk_scaled: y[i] = e[i] / (atol + rtol * max(|a[i]|, |b[i]|)) for i < n, the
// terms of scipy's RK45 error norm (their root mean square, by a reduction).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer E { float e[]; };
layout(std430, set = 0, binding = 1) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint n; float rtol; float atol; } p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    y[i] = e[i] / (p.atol + p.rtol * max(abs(a[i]), abs(b[i])));
}
