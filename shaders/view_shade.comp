#version 450
// view_shade: the viewer's frame. One invocation per pixel of a w x h frame
// writes packed 8-bit colour to out (byte order RGBA, or BGRA with flag 2, to
// match the swapchain format; values are sRGB-encoded, which is what both
// UNORM and SRGB images expect from a raw buffer-to-image copy).
//   MODE 0 (density): src holds the splatted counts of view_splat (src[w*h] is
//     the largest); log tone map through the colour map over an optional faint
//     background bg (w x h, values in [0, 1], flag 1).
//   MODE 1 (image grid): src holds n images (n, c, ih, iw) as float bits,
//     drawn as a grid of cols columns, each pixel scale x scale, values mapped
//     from [lo, hi] to [0, 1]; c = 1 grey, c = 3 RGB.
// Overlays from aux: text lines (flag 8) and a loss curve (flag 4).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer S { uint src[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float bg[]; };
layout(std430, set = 0, binding = 2) readonly buffer A { uint aux[]; };
layout(std430, set = 0, binding = 3) writeonly buffer O { uint outp[]; };
layout(push_constant) uniform Push {
    uint w; uint h; uint mode; uint flags;
    float bgAlpha; float gain; uint textScale; uint lines;
    uint n; uint c; uint ih; uint iw;
    uint cols; uint scale; uint gap; uint textH; // textH: rows covered by text boxes
    float lo; float hi;
    uint lx0; uint ly0; uint lw; uint lh;         // loss panel (lw = 0: none)
} p;

// aux layout (words); viewer/aux.go mirrors it.
const uint LUT = 0u;        // 256 colours, packed RGBA
const uint FONT = 256u;     // 96 glyphs (ASCII 32..127), 6 x 13, 4 words each, 8 bits per row
const uint TEXT = 640u;     // 3 lines of 64 words: length, then characters
const uint LOSS = 832u;     // count, then up to 512 values in [0, 1]
const uint GW = 6u, GH = 13u, ADV = 7u, LINEW = 64u;

const uint FLAG_BG = 1u, FLAG_BGRA = 2u, FLAG_LOSS = 4u, FLAG_TEXT = 8u;

vec3 unpack(uint c) { return vec3(c & 255u, (c >> 8) & 255u, (c >> 16) & 255u) / 255.0; }

vec3 density(uint x, uint y) {
    vec3 base = vec3(0.035, 0.035, 0.055);
    vec3 col = base;
    uint i = y * p.w + x;
    if ((p.flags & FLAG_BG) != 0u) {
        col = mix(base, vec3(0.30, 0.45, 0.65), clamp(bg[i], 0.0, 1.0) * p.bgAlpha);
    }
    float cnt = float(src[i]);
    if (cnt > 0.0) {
        float top = max(float(src[p.w * p.h]), 1.0);
        float v = log(1.0 + p.gain * cnt) / log(1.0 + p.gain * top);
        v = clamp(0.12 + 0.88 * v, 0.0, 1.0);
        vec3 c = unpack(aux[LUT + uint(v * 255.0 + 0.5)]);
        col = mix(col, c, clamp(v * 2.5, 0.0, 1.0));
    }
    return col;
}

vec3 grid(uint x, uint y) {
    vec3 col = vec3(0.08);
    uint tw = p.iw * p.scale + p.gap, th = p.ih * p.scale + p.gap;
    uint tx = x / tw, ty = y / th, ox = x % tw, oy = y % th;
    if (tx >= p.cols || ox >= p.iw * p.scale || oy >= p.ih * p.scale) return col;
    uint k = ty * p.cols + tx;
    if (k >= p.n) return col;
    uint ix = ox / p.scale, iy = oy / p.scale;
    uint plane = p.ih * p.iw;
    uint at = k * p.c * plane + iy * p.iw + ix;
    float r = uintBitsToFloat(src[at]);
    vec3 v = vec3(r);
    if (p.c >= 3u) v = vec3(r, uintBitsToFloat(src[at + plane]), uintBitsToFloat(src[at + 2u * plane]));
    return clamp((v - p.lo) / (p.hi - p.lo), 0.0, 1.0);
}

// text returns 1 on a glyph pixel, 0.5 inside a line's box, 0 elsewhere.
float text(uint x, uint y) {
    if (y >= p.textH || x < 4u || y < 4u) return 0.0;
    uint s = max(p.textScale, 1u);
    uint lh = GH * s + 2u * s;
    uint line = (y - 4u) / lh;
    if (line >= p.lines) return 0.0;
    uint ly = (y - 4u) % lh;
    uint len = aux[TEXT + line * LINEW];
    uint lx = x - 4u;
    if (lx >= (len * ADV + 2u) * s) return 0.0;
    if (ly < s || ly >= (GH + 1u) * s || lx < s) return 0.5;
    uint gx = (lx - s) / s, gy = (ly - s) / s;
    uint ci = gx / ADV, cx = gx % ADV;
    if (ci >= len || cx >= GW) return 0.5;
    uint ch = aux[TEXT + line * LINEW + 1u + ci];
    if (ch < 32u || ch > 127u) return 0.5;
    uint word = aux[FONT + (ch - 32u) * 4u + gy / 4u];
    return ((word >> ((gy % 4u) * 8u + cx)) & 1u) != 0u ? 1.0 : 0.5;
}

// loss draws the curve in a panel at the bottom right: -1 outside it, 0
// background, 1 on the curve.
float lossCurve(uint x, uint y) {
    uint x0 = p.lx0, y0 = p.ly0, pw = p.lw, ph = p.lh;
    if (x < x0 || y < y0 || x >= x0 + pw || y >= y0 + ph) return -1.0;
    uint m = aux[LOSS];
    if (m < 2u) return 0.0;
    float fx = float(x - x0) / float(pw - 1u) * float(m - 1u);
    float fx1 = min(float(x - x0 + 1u) / float(pw - 1u) * float(m - 1u), float(m - 1u));
    uint i0 = min(uint(fx), m - 2u), i1 = min(uint(fx1), m - 2u);
    float a = mix(uintBitsToFloat(aux[LOSS + 1u + i0]), uintBitsToFloat(aux[LOSS + 2u + i0]), fx - float(i0));
    float b = mix(uintBitsToFloat(aux[LOSS + 1u + i1]), uintBitsToFloat(aux[LOSS + 2u + i1]), fx1 - float(i1));
    float ya = float(ph - 3u) * (1.0 - clamp(a, 0.0, 1.0)) + 1.0;
    float yb = float(ph - 3u) * (1.0 - clamp(b, 0.0, 1.0)) + 1.0;
    float yy = float(y - y0);
    return (yy >= min(ya, yb) - 0.75 && yy <= max(ya, yb) + 0.75) ? 1.0 : 0.0;
}

void main() {
    uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
    if (x >= p.w || y >= p.h) return;
    vec3 col;
    if (p.mode == 0u) col = density(x, y); else col = grid(x, y);
    if ((p.flags & FLAG_LOSS) != 0u) {
        float l = lossCurve(x, y);
        if (l >= 0.0) col = l > 0.0 ? vec3(1.0, 0.75, 0.25) : col * 0.35 + vec3(0.03);
    }
    if ((p.flags & FLAG_TEXT) != 0u) {
        float t = text(x, y);
        if (t > 0.75) col = vec3(0.95);
        else if (t > 0.0) col *= 0.35;
    }
    uvec3 c = uvec3(clamp(col, 0.0, 1.0) * 255.0 + 0.5);
    if ((p.flags & FLAG_BGRA) != 0u) c = c.bgr;
    outp[y * p.w + x] = c.r | (c.g << 8) | (c.b << 16) | (255u << 24);
}
