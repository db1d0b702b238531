#version 450
// sde_advance: state.counter += 1, the last command of a recorded sampler
// step, so the next replay reads the next row of coefficients and draws new
// noise. One invocation.
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer S { uint state[]; };

void main() {
    if (flat_id() == 0u) state[0] += 1u;
}
