#version 450
// strided_copy: y[yoff + sum_d c_d * ys_d] = x[xoff + sum_d c_d * xs_d] for
// every coordinate c of a block of up to 6 dimensions. One kernel serves
// transpose/permute, slice, pad, concat (one dispatch per input into an
// offset of the output), broadcast (stride 0) and reshape copies. Unused
// leading dimensions have size 1; DIMS, the number of used ones, bounds the
// index loop (its divisions by push constants dominate the cost).
#include "common.glsl"

layout(constant_id = 3) const int DIMS = 6;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n;          // elements of the block
    uint xoff, yoff; // element offsets
    uint shape[6];
    uint xs[6];      // strides of x (0 broadcasts)
    uint ys[6];      // strides of y
} p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint rem = i, xi = p.xoff, yi = p.yoff;
    for (int d = 5; d >= 6 - DIMS; d--) {
        uint c = rem % p.shape[d];
        rem /= p.shape[d];
        xi += c * p.xs[d];
        yi += c * p.ys[d];
    }
    y[yi] = x[xi];
}
