#version 450
// pool2x: y[b][oh][ow] = scale * (sum of the 2x2 block of x at 2oh, 2ow) for
// planes b of x of h x w (even; y is h/2 x w/2). Scale 0.25 is 2x average
// pooling; 1 is the gradient of nearest-neighbour upsampling.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n; // elements of y
    uint h, w; // of x
    float scale;
} p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint hw = p.w / 2, hh = p.h / 2;
    uint ow = i % hw, r = i / hw;
    uint oh = r % hh, b = r / hh;
    uint o = (b * p.h + 2 * oh) * p.w + 2 * ow;
    y[i] = p.scale * ((x[o] + x[o + 1]) + (x[o + p.w] + x[o + p.w + 1]));
}
