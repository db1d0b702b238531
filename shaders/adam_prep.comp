#version 450
// adam_prep: one invocation per optimiser step. It advances the step counter
// of the optimiser state and derives this step's scalars from it, so a
// recorded training step replays without host writes:
//   t         = ++step
//   lr_t      = lr * min(t / warmup, 1)           (lr_t = lr when warmup = 0)
//   clipScale = min(1, clip / norm)               (1 when clip <= 0)
//   stepSize  = lr_t / (1 - beta1^t)
//   rsbc2     = 1 / sqrt(1 - beta2^t)
// 1 - beta^t is computed as -expm1(t ln beta) with ln beta pushed from
// float64, so the bias corrections keep float32 accuracy for small t.
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Sb {
    uint step; float lr; float norm; float clipScale; float lrt; float stepSize; float rsbc2; float spare;
} st;
layout(push_constant) uniform P { float lnb1; float lnb2; uint warmup; float clip; } p;

float expm1(float x) {
    if (abs(x) < 0.35) {
        // Taylor series; 10 terms reach float32 rounding for |x| < 0.35.
        float term = x, sum = x;
        for (int k = 2; k <= 10; k++) {
            term *= x / float(k);
            sum += term;
        }
        return sum;
    }
    return exp(x) - 1.0;
}

void main() {
    if (gl_GlobalInvocationID.x != 0) return;
    uint t = st.step + 1;
    st.step = t;
    float ft = float(t);
    float lrt = st.lr;
    if (p.warmup > 0) lrt *= min(ft / float(p.warmup), 1.0);
    st.lrt = lrt;
    st.clipScale = p.clip > 0.0 ? min(1.0, p.clip / st.norm) : 1.0;
    st.stepSize = lrt / -expm1(ft * p.lnb1);
    st.rsbc2 = inversesqrt(-expm1(ft * p.lnb2));
}
