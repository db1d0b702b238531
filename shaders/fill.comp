#version 450
// fill: y[i] = value for i < n.
#include "common.glsl"

layout(std430, set = 0, binding = 0) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint n; float value; } p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    y[i] = p.value;
}
