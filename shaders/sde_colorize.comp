#version 450
// sde_colorize: score_sde's colourisation projection (sde.Grey.Replace). x
// holds images [n / (3 hw), 3, hw]; every pixel is moved along the grey
// direction (1, 1, 1) so that its grey level (the mean of its channels)
// becomes the forward-perturbed data m g + s z / sqrt(3), its chroma kept:
//   x[c] += m g[pixel] + s z / sqrt(3) - mean(x[0], x[1], x[2]).
// One invocation per pixel; z is element e = image * 3 hw + p (channel 0 of
// the pixel) of rng.Normal with key (state.seed, stream) and Philox step =
// state.counter, at global index g = state.offset + e (state word 3, as
// sde_lincomb draws it): lane g mod 4 of block g / 4. (m, s) are coef[base],
// coef[base + 1] with base = state.counter * stride + col (stride 0: a fixed
// location).
#include "common.glsl"
#include "philox.glsl"

layout(std430, set = 0, binding = 0) buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer C { float coef[]; };
layout(std430, set = 0, binding = 2) readonly buffer S { uint state[]; };  // counter, seed lo, seed hi, offset
layout(std430, set = 0, binding = 3) readonly buffer G { float grey[]; };
layout(push_constant) uniform P { uint pixels; uint hw; uint col; uint stride; uint stream; } p;

void main() {
    uint q = flat_id();
    if (q >= p.pixels) return;
    uint img = q / p.hw, px = q % p.hw;
    uint e = img * 3u * p.hw + px;
    uint counter = state[0];
    uint base = counter * p.stride + p.col;
    float m = coef[base], s = coef[base + 1u];
    uint g = state[3] + e;
    uvec4 w = philox4x32_10(uvec4(g / 4u, counter, p.stream, 0u), uvec2(state[1], state[2]));
    uint lane = g % 4u;
    vec2 pair = lane < 2u ? philox_normal_pair(w.x, w.y) : philox_normal_pair(w.z, w.w);
    float z = (lane % 2u) == 0u ? pair.x : pair.y;
    uint i0 = e, i1 = e + p.hw, i2 = e + 2u * p.hw;
    float shift = m * grey[q] + s * z * 0.5773502691896258 - (x[i0] + x[i1] + x[i2]) / 3.0;
    x[i0] += shift;
    x[i1] += shift;
    x[i2] += shift;
}
