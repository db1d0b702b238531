#version 450
// view_splat: the viewer's point splatting. Each of n points (rows of d
// float32 in x) is projected to two screen coordinates, either two chosen
// coordinates (MODE 0: x[ax0], x[ax1]) or dot products with two projection
// vectors after subtracting a mean (MODE 1: proj = mean[d], p0[d], p1[d]), and
// added bilinearly, in fixed point (weight per point), into the w x h density
// image dens with atomicAdd. dens[w*h] keeps the largest count for tone
// mapping. The host clears dens before this kernel.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer P { float proj[]; };
layout(std430, set = 0, binding = 2) buffer D { uint dens[]; };
layout(push_constant) uniform Push {
    uint n; uint d; uint w; uint h;
    uint mode; uint ax0; uint ax1; uint weight;
    float x0; float sx; float y0; float sy; // pixel = ((u - x0) * sx, (y0 - v) * sy)
} p;

void add(int ix, int iy, float f, inout uint best) {
    if (ix < 0 || iy < 0 || ix >= int(p.w) || iy >= int(p.h)) return;
    uint v = uint(f * float(p.weight) + 0.5);
    if (v == 0u) return;
    uint now = atomicAdd(dens[uint(iy) * p.w + uint(ix)], v) + v;
    best = max(best, now);
}

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint base = i * p.d;
    float u, v;
    if (p.mode == 0u) {
        u = x[base + p.ax0];
        v = x[base + p.ax1];
    } else {
        u = 0.0;
        v = 0.0;
        for (uint k = 0u; k < p.d; k++) {
            float c = x[base + k] - proj[k];
            u += c * proj[p.d + k];
            v += c * proj[2u * p.d + k];
        }
    }
    float px = (u - p.x0) * p.sx - 0.5;
    float py = (p.y0 - v) * p.sy - 0.5;
    // Points off screen (or NaN) are dropped.
    if (!(px > -1.0 && py > -1.0 && px < float(p.w) && py < float(p.h))) return;
    float fx = floor(px), fy = floor(py);
    float ax = px - fx, ay = py - fy;
    int ix = int(fx), iy = int(fy);
    uint best = 0u;
    add(ix, iy, (1.0 - ax) * (1.0 - ay), best);
    add(ix + 1, iy, ax * (1.0 - ay), best);
    add(ix, iy + 1, (1.0 - ax) * ay, best);
    add(ix + 1, iy + 1, ax * ay, best);
    if (best > 0u) atomicMax(dens[p.w * p.h], best);
}
