#version 450
// upsample2x: y[b][oh][ow] = scale * x[b][oh/2][ow/2] for planes b of h x w
// (y is 2h x 2w). Scale 1 is nearest-neighbour upsampling; 0.25 is the
// gradient of 2x average pooling.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n; // elements of y
    uint h, w;
    float scale;
} p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint w2 = 2 * p.w;
    uint ow = i % w2, r = i / w2;
    uint oh = r % (2 * p.h), b = r / (2 * p.h);
    y[i] = p.scale * x[(b * p.h + oh / 2) * p.w + ow / 2];
}
