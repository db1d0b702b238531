#version 450
// reduce: one pass of a sum / max / sum-of-squares reduction of x viewed as
// [outer, axis, inner] along the middle axis (OP = specialization constant 3:
// 0 sum, 1 max, 2 sum of squares). The axis is split into p.splits
// interleaved slices: invocation t = (o * splits + s) * inner + j reduces
// x[o, a, j] for a = s, s + splits, s + 2 splits, ... in increasing order and
// writes p.scale times the result to y[t]. With splits = 1 that is the final
// answer; with splits > 1 the host runs a second pass (OP sum or max, splits
// = 1) over y viewed as [outer, splits, inner]. The order depends only on the
// shape, never on the workgroup size, so results are bit-identical run to run.
// Neighbouring invocations read neighbouring addresses. No shared memory.
#include "common.glsl"

layout(constant_id = 3) const uint OP = 0;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P { uint outer; uint axis; uint inner; uint splits; float scale; } p;

float term(float v) { return OP == 2u ? v * v : v; }
float combine(float acc, float v) { return OP == 1u ? max(acc, v) : acc + v; }

void main() {
    uint t = flat_id();
    uint per = p.splits * p.inner;
    if (t >= p.outer * per) return;
    uint o = t / per;
    uint r = t - o * per;
    uint s = r / p.inner;
    uint j = r - s * p.inner;
    float acc = OP == 1u ? uintBitsToFloat(0xff800000u) : 0.0; // -inf for max
    uint idx = (o * p.axis + s) * p.inner + j;
    uint stride = per;
    uint full = p.axis / p.splits;   // the iterations every slice has
    for (uint k = 0u; k < full; k++) {
        acc = combine(acc, term(x[idx]));
        idx += stride;
    }
    if (s < p.axis - full * p.splits) {
        acc = combine(acc, term(x[idx]));
    }
    y[t] = acc * p.scale;
}
