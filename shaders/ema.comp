#version 450
// ema: exponential moving average of parameters,
//   ema = rate ema + (1 - rate) param.
// With WARM = 1 the rate is min(rate, (1 + t) / (10 + t)), t the step counter
// of the optimiser state (score_sde's ExponentialMovingAverage with
// num_updates), read from the buffer so a recorded step replays unchanged.
#include "common.glsl"

layout(constant_id = 3) const uint WARM = 0;
layout(std430, set = 0, binding = 0) readonly buffer Pb { float param[]; };
layout(std430, set = 0, binding = 1) readonly buffer Sb { uint step; } st;
layout(std430, set = 0, binding = 2) buffer Eb { float ema[]; };
layout(push_constant) uniform P { uint n; float rate; } p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    float r = p.rate;
    if (WARM == 1) {
        float t = float(st.step);
        r = min(r, (1.0 + t) / (10.0 + t));
    }
    ema[i] = r * ema[i] + (1.0 - r) * param[i];
}
