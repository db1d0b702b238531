#version 450
// upfirdn2d: score_sde's upfirdn2d on planes of h x w (graph/ref.UpFirDn2D):
// upsample by up (zeros between samples), pad by pad_h / pad_w before (a
// negative pad crops), convolve with the k x k kernel (flipped: a true
// convolution) and keep every down-th sample. One invocation per output
// element; per axis it visits only the taps that land on an input sample.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer K { float kern[]; }; // k x k, row-major
layout(std430, set = 0, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    uint n; // elements of y: planes * oh * ow
    uint h, w, oh, ow;
    uint k, up, down;
    int pad_h, pad_w; // zeros before row 0 / column 0 of the upsampled plane
} p;

void main() {
    uint i = flat_id();
    if (i >= p.n) return;
    uint ox = i % p.ow, r = i / p.ow;
    uint oy = r % p.oh, plane = r / p.oh;
    int up = int(p.up), k = int(p.k);
    int by = int(oy * p.down) - p.pad_h; // upsampled row of tap 0
    int bx = int(ox * p.down) - p.pad_w;
    // The first taps landing on a sample (a multiple of up, not negative).
    int ty0 = by < 0 ? -by : (up - by % up) % up;
    int tx0 = bx < 0 ? -bx : (up - bx % up) % up;
    int ty1 = min(k, int(p.h) * up - by); // taps past it fall below the last row
    int tx1 = min(k, int(p.w) * up - bx);
    uint xbase = plane * p.h * p.w;
    float s = 0.0;
    for (int ty = ty0; ty < ty1; ty += up) {
        uint row = xbase + uint((by + ty) / up) * p.w;
        uint krow = uint((k - 1 - ty) * k + k - 1);
        for (int tx = tx0; tx < tx1; tx += up) {
            s += kern[krow - uint(tx)] * x[row + uint((bx + tx) / up)];
        }
    }
    y[i] = s;
}
