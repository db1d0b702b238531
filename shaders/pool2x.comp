#version 450
// pool2x: y[b][oh][ow] = scale * (sum of the 2x2 block of x at 2oh, 2ow) for
// planes b of x of H x W (even; y is H/2 x W/2). Scale 0.25 is 2x average
// pooling; 1 is the gradient of nearest-neighbour upsampling.
//
// The block's two rows are read as vec2s (W is even, so their offsets are);
// H and W are specialization constants, so the index arithmetic has no
// run-time divisions. 1-D over the n elements of y (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint H = 2;
layout(constant_id = 4) const uint W = 2;

layout(std430, set = 0, binding = 0) readonly buffer X { vec2 x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n; // elements of y
    float scale;
} p;

void main() {
    const uint i = flat_id();
    if (i >= p.n) return;
    const uint hw = W / 2, hh = H / 2;
    const uint ow = i % hw, r = i / hw;
    const uint oh = r % hh, b = r / hh;
    // Row 2 oh of plane b of x, column 2 ow, in vec2 units.
    const uint o = (b * H + 2 * oh) * hw + ow;
    const vec2 s = x[o] + x[o + hw];
    y[i] = p.scale * (s.x + s.y);
}
