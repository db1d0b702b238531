#version 450
// adam: one fused Adam / AdamW update of a flat parameter buffer, reading
// this step's scalars from the optimiser state written by adam_prep (and
// clip_norm), so nothing per step lives in push constants:
//   g  = grad * clipScale                 (+ wd * param for Adam, MODE 0)
//   m  = beta1 m + (1 - beta1) g
//   v  = beta2 v + (1 - beta2) g^2
//   param -= stepSize m / (sqrt(v) rsbc2 + eps)   (+ lr_t wd param for AdamW, MODE 1)
// which is PyTorch's Adam / AdamW with bias correction.
#include "common.glsl"

layout(constant_id = 3) const uint MODE = 0;   // 0 Adam (L2), 1 AdamW (decoupled)
layout(std430, set = 0, binding = 0) readonly buffer Gb { float grad[]; };
layout(std430, set = 0, binding = 1) readonly buffer Sb {
    uint step; float lr; float norm; float clipScale; float lrt; float stepSize; float rsbc2; float spare;
} st;
layout(std430, set = 0, binding = 2) buffer Pb { float param[]; };
layout(std430, set = 0, binding = 3) buffer Mb { float m[]; };
layout(std430, set = 0, binding = 4) buffer Vb { float v[]; };
// 1 - beta1 and 1 - beta2 come from float64 (1 - 0.999f loses 1e-5 relative).
layout(push_constant) uniform P { uint n; float beta1; float beta2; float omb1; float omb2; float eps; float wd; } p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    float x = param[i];
    float g = grad[i] * st.clipScale;
    if (MODE == 0) g += p.wd * x;
    float mi = p.beta1 * m[i] + p.omb1 * g;
    float vi = p.beta2 * v[i] + p.omb2 * g * g;
    m[i] = mi;
    v[i] = vi;
    float upd = st.stepSize * mi / (sqrt(vi) * st.rsbc2 + p.eps);
    if (MODE == 1) upd += st.lrt * p.wd * x;
    param[i] = x - upd;
}
