#version 450
// winograd4_filter_grad: the filter gradient of Winograd F(4x4, 3x3) from
// the summed gradients of the transformed filters. The forward convolution
// uses U = G g G^T (winograd4_filter), so
//   gw = G^T dU G
// with G's rows (1/4, 0, 0), -(1, 1, 1)/6, -(1, -1, 1)/6,
// (1/24, 1/12, 1/6), (1/24, -1/12, 1/6), (0, 0, 1), for dU[f / 6][f % 6] =
// DU[(f*O + o)*C + c], the [O, C] result of frequency f's product
// (conv_winograd.go); gw is [O, C, 3, 3]. One invocation per (o, c), 1-D
// (flat_id).
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer DU { float du[]; };
layout(std430, set = 0, binding = 1) writeonly buffer GW { float gw[]; };
layout(push_constant) uniform P {
    uint O, C;
} p;

// gt is G^T applied to 6 values (a column or row of dU), giving 3.
void gt(float u0, float u1, float u2, float u3, float u4, float u5, out float r[3]) {
    const float s12 = u1 + u2, s34 = u3 + u4;
    r[0] = 0.25 * u0 - s12 / 6.0 + s34 / 24.0;
    r[1] = (u2 - u1) / 6.0 + (u3 - u4) / 12.0;
    r[2] = (s34 - s12) / 6.0 + u5;
}

void main() {
    const uint id = flat_id();
    const uint n = p.O * p.C;
    if (id >= n) return;
    float u[6][6];
    for (uint f = 0; f < 36; f++) u[f / 6][f % 6] = du[f * n + id];
    // G^T dU, column by column: s[i][b].
    float s[3][6];
    for (uint b = 0; b < 6; b++) {
        float r[3];
        gt(u[0][b], u[1][b], u[2][b], u[3][b], u[4][b], u[5][b], r);
        for (uint i = 0; i < 3; i++) s[i][b] = r[i];
    }
    // (G^T dU) G, row by row.
    for (uint i = 0; i < 3; i++) {
        float r[3];
        gt(s[i][0], s[i][1], s[i][2], s[i][3], s[i][4], s[i][5], r);
        for (uint j = 0; j < 3; j++) gw[9 * id + 3 * i + j] = r[j];
    }
}
