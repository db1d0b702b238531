#version 450
// embed_fourier: Fourier time features (graph.FourierEmbed) of t[B] at the
// frequencies w[H]:
//   out[b, j]     = sin(2 pi t_b w_j)
//   out[b, H + j] = cos(2 pi t_b w_j)      j < H, out is [B, 2H].
// Both Gaussian Fourier (w = scale N(0,1)) and sinusoidal / DDPM embeddings
// (w_j = maxPositions^(-j/(H-1)) / (2 pi)) use it. The phase t w is reduced
// to [-1/2, 1/2] turns before sin/cos, so large arguments (t up to 1000)
// lose only the float32 rounding of the product t w.
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer Tb { float t[]; };
layout(std430, set = 0, binding = 1) readonly buffer Wb { float w[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Ob { float o[]; };
layout(push_constant) uniform P { uint n; uint H; } p;

void main() {
    uint id = flat_id();
    if (id >= p.n) return;
    uint b = id / p.H, j = id % p.H;
    float turns = t[b] * w[j];
    float a = 6.283185307179586 * (turns - round(turns));
    o[b * 2 * p.H + j] = sin(a);
    o[b * 2 * p.H + p.H + j] = cos(a);
}
