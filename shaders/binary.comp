#version 450
// binary: out = a OP b with NumPy broadcasting over up to 4 dimensions.
// The host passes the output shape and each input's element strides, with
// stride 0 on broadcast dimensions; the op is specialization constant 3.
// Specialization constant 4 picks a cheaper indexing when the shapes allow
// (integer division costs a scalar loop per lane on CPU devices): 0 general,
// 1 same shapes, 2 b repeats over a (b = a trailing block of sb[3] values,
// a bias row), 3 a repeats over b.
#include "common.glsl"
#include "elementwise_ops.glsl"

layout(constant_id = 3) const uint OP = 0;
layout(constant_id = 4) const uint MODE = 0;
layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer O { float o[]; };
layout(push_constant) uniform P {
    uint n;
    uint shape[4];
    uint sa[4];
    uint sb[4];
} p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint ia = i, ib = i;
    if (MODE == 2u) {
        ib = i % p.sb[3];
    } else if (MODE == 3u) {
        ia = i % p.sa[3];
    } else if (MODE == 0u) {
        uint rem = i;
        ia = 0u;
        ib = 0u;
        for (int d = 3; d >= 0; d--) {
            uint c = rem % p.shape[d];
            rem /= p.shape[d];
            ia += c * p.sa[d];
            ib += c * p.sb[d];
        }
    }
    o[i] = binary_f(OP, a[ia], b[ib]);
}
