#version 450
// winograd_filter: the filter transform of Winograd F(2x2, 3x3),
//   U[(f*M + m)*K + k] = (G g G^T)[f / 4][f % 4],
// the [M, K] A matrix of frequency f's product (conv_winograd.go), for the
// 3x3 kernels g of w[O][C][3][3]: g = w[m][k] (M = O, K = C) for the
// forward convolution, and with FLIP g = w[k][m] rotated by 180 degrees
// (M = C, K = O), the kernel of the stride-1 data gradient. One
// invocation per (m, k), 1-D (flat_id).
#include "common.glsl"

layout(constant_id = 3) const bool FLIP = false;

layout(std430, set = 0, binding = 0) readonly buffer Wt { float w[]; };
layout(std430, set = 0, binding = 1) writeonly buffer U { float u[]; };
layout(push_constant) uniform P {
    uint O, C;
} p;

void main() {
    const uint id = flat_id();
    if (id >= p.O * p.C) return;
    const uint M = FLIP ? p.C : p.O, K = FLIP ? p.O : p.C;
    const uint mi = id / K, ki = id % K;
    const uint src = (FLIP ? ki * p.C + mi : mi * p.C + ki) * 9;
    float g[3][3];
    for (uint a = 0; a < 3; a++)
        for (uint b = 0; b < 3; b++) g[a][b] = FLIP ? w[src + 8 - (3 * a + b)] : w[src + 3 * a + b];
    // G g: rows (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2), per column.
    float s[4][3];
    for (uint b = 0; b < 3; b++) {
        s[0][b] = g[0][b];
        s[1][b] = 0.5 * (g[0][b] + g[1][b] + g[2][b]);
        s[2][b] = 0.5 * (g[0][b] - g[1][b] + g[2][b]);
        s[3][b] = g[2][b];
    }
    for (uint a = 0; a < 4; a++) {
        const uint o = (4 * a * M + mi) * K + ki;
        u[o] = s[a][0];
        u[o + M * K] = 0.5 * (s[a][0] + s[a][1] + s[a][2]);
        u[o + 2 * M * K] = 0.5 * (s[a][0] - s[a][1] + s[a][2]);
        u[o + 3 * M * K] = s[a][2];
    }
}
