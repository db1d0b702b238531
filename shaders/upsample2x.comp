#version 450
// upsample2x: y[b][oh][ow] = scale * x[b][oh/2][ow/2] for planes b of H x W
// (y is 2H x 2W). Scale 1 is nearest-neighbour upsampling; 0.25 is the
// gradient of 2x average pooling.
//
// One invocation per element of x, which it writes as a vec2 into each of
// its two output rows: a quarter of the invocations (and workgroups) of one
// per output element, and H, W specialization constants, so the index
// arithmetic has no run-time divisions. Output offsets are even, so the
// vec2 view is aligned. 1-D over the n elements of x (flat_id).
#include "common.glsl"

layout(constant_id = 3) const uint H = 1;
layout(constant_id = 4) const uint W = 1;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { vec2 y[]; };
layout(push_constant) uniform P {
    uint n; // elements of x
    float scale;
} p;

void main() {
    const uint i = flat_id();
    if (i >= p.n) return;
    const uint iw = i % W, r = i / W;
    const uint ih = r % H, b = r / H;
    // Row 2 ih of plane b of y, column 2 iw, in vec2 units; the next row is
    // W vec2s further.
    const uint o = (b * 2 * H + 2 * ih) * W + iw;
    const vec2 v = vec2(p.scale * x[i]);
    y[o] = v;
    y[o + W] = v;
}
