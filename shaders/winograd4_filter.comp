#version 450
// winograd4_filter: the filter transform of Winograd F(4x4, 3x3),
//   U[(f*M + m)*K + k] = (G g G^T)[f / 6][f % 6],
// the [M, K] A matrix of frequency f's product (conv_winograd.go), with
// G's rows (1/4, 0, 0), -(1, 1, 1)/6, -(1, -1, 1)/6, (1/24, 1/12, 1/6),
// (1/24, -1/12, 1/6), (0, 0, 1) (Lavin and Gray, 2016). g is as in
// winograd_filter: w[m][k] forward, w[k][m] rotated by 180 degrees with
// FLIP (the data gradient). One invocation per (m, k), 1-D (flat_id).
#include "common.glsl"

layout(constant_id = 3) const bool FLIP = false;

layout(std430, set = 0, binding = 0) readonly buffer Wt { float w[]; };
layout(std430, set = 0, binding = 1) writeonly buffer U { float u[]; };
layout(push_constant) uniform P {
    uint O, C;
} p;

// gt is G applied to one column (or row) of 3 values.
void gt(float g0, float g1, float g2, out float r[6]) {
    r[0] = 0.25 * g0;
    r[1] = -(g0 + g1 + g2) / 6.0;
    r[2] = -(g0 - g1 + g2) / 6.0;
    r[3] = g0 / 24.0 + g1 / 12.0 + g2 / 6.0;
    r[4] = g0 / 24.0 - g1 / 12.0 + g2 / 6.0;
    r[5] = g2;
}

void main() {
    const uint id = flat_id();
    if (id >= p.O * p.C) return;
    const uint M = FLIP ? p.C : p.O, K = FLIP ? p.O : p.C;
    const uint mi = id / K, ki = id % K;
    const uint src = (FLIP ? ki * p.C + mi : mi * p.C + ki) * 9;
    float g[3][3];
    for (uint a = 0; a < 3; a++)
        for (uint b = 0; b < 3; b++) g[a][b] = FLIP ? w[src + 8 - (3 * a + b)] : w[src + 3 * a + b];
    // G g: s[a][j] over the 3 columns j.
    float s[6][3];
    for (uint j = 0; j < 3; j++) {
        float r[6];
        gt(g[0][j], g[1][j], g[2][j], r);
        for (uint a = 0; a < 6; a++) s[a][j] = r[a];
    }
    // (G g) G^T, row by row.
    for (uint a = 0; a < 6; a++) {
        float r[6];
        gt(s[a][0], s[a][1], s[a][2], r);
        for (uint b = 0; b < 6; b++) u[((6 * a + b) * M + mi) * K + ki] = r[b];
    }
}
