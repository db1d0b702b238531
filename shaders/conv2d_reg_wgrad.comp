#version 450
// conv2d_reg_wgrad: the weight gradient of conv2d for CPU-type devices, no
// shared memory:
// dW[o][c][kh][kw] = sum_{n,oh,ow} gY[n][o][oh][ow] * X[n][c][oh*SH-PH+kh][ow*SW-PW+kw].
// Each invocation keeps TO output channels x TC input channels x KH x KW
// taps in registers and walks every output position, four columns at a
// time; the output-channel block comes from the workgroup id, so the loads
// of gY are uniform across the workgroup, and X is read as vec4 rows when
// VEC (SW == 1, W % 4 == 0). The sum runs in one fixed order: deterministic.
#include "common.glsl"

layout(constant_id = 3) const uint TO = 4;
layout(constant_id = 4) const uint TC = 4;
layout(constant_id = 6) const uint KH = 3;
layout(constant_id = 7) const uint KW = 3;
layout(constant_id = 8) const uint SH = 1;
layout(constant_id = 9) const uint SW = 1;
layout(constant_id = 10) const uint PH = 1;
layout(constant_id = 11) const uint PW = 1;
layout(constant_id = 12) const bool VEC = false;

const uint TQ = 4;                         // output columns per step
const uint PWA = (PW + 3) / 4 * 4;
const uint OFF = PWA - PW;
const uint SPAN = (TQ - 1) * SW + KW;
const uint NV = (OFF + SPAN + 3) / 4;
const uint COLS = NV * 4;

layout(std430, set = 0, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, set = 0, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, set = 0, binding = 1) readonly buffer G1 { float g1[]; };
layout(std430, set = 0, binding = 2) writeonly buffer DW { float dw[]; };
layout(push_constant) uniform P {
    uint N, C, H, W;
    uint O, OH, OW;
} p;

void main() {
    const uint HW = p.H * p.W, OHW = p.OH * p.OW;
    for (uint ob = gl_WorkGroupID.y; ob * TO < p.O; ob += gl_NumWorkGroups.y) {
    const uint o0 = ob * TO;
    for (uint cb = gl_GlobalInvocationID.x; cb * TC < p.C; cb += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
        const uint c0 = cb * TC;
        float acc[TO][TC][KH][KW];
        for (uint i = 0; i < TO; i++)
            for (uint j = 0; j < TC; j++)
                for (uint kh = 0; kh < KH; kh++)
                    for (uint kw = 0; kw < KW; kw++) acc[i][j][kh][kw] = 0.0;
        for (uint n = 0; n < p.N; n++)
        for (uint oh = 0; oh < p.OH; oh++)
        for (uint ow0 = 0; ow0 < p.OW; ow0 += TQ) {
            float gv[TO][TQ];
            for (uint i = 0; i < TO; i++) {
                const uint gb = (n * p.O + min(o0 + i, p.O - 1)) * OHW + oh * p.OW + ow0;
                for (uint q = 0; q < TQ; q++) gv[i][q] = ow0 + q < p.OW ? g1[gb + q] : 0.0;
            }
            const int iw0 = int(ow0 * SW) - int(PWA);
            for (uint j = 0; j < TC; j++) {
                const uint xc = (n * p.C + min(c0 + j, p.C - 1)) * HW;
                for (uint kh = 0; kh < KH; kh++) {
                    const int ih = int(oh * SH) - int(PH) + int(kh);
                    const bool rowIn = ih >= 0 && ih < int(p.H);
                    const uint rowBase = xc + uint(clamp(ih, 0, int(p.H) - 1)) * p.W;
                    float win[COLS];
                    if (VEC) {
                        for (uint v = 0; v < NV; v++) {
                            const int iw = iw0 + int(4 * v);
                            vec4 xv = vec4(0.0);
                            if (rowIn && iw >= 0 && iw < int(p.W)) xv = x4[(rowBase + uint(iw)) / 4];
                            win[4 * v + 0] = xv.x;
                            win[4 * v + 1] = xv.y;
                            win[4 * v + 2] = xv.z;
                            win[4 * v + 3] = xv.w;
                        }
                    } else {
                        for (uint q = 0; q < COLS; q++) {
                            const int iw = iw0 + int(q);
                            float xv = 0.0;
                            if (q >= OFF && q < OFF + SPAN && rowIn && iw >= 0 && iw < int(p.W)) xv = x1[rowBase + uint(iw)];
                            win[q] = xv;
                        }
                    }
                    for (uint kw = 0; kw < KW; kw++)
                        for (uint q = 0; q < TQ; q++) {
                            const float xv = win[OFF + q * SW + kw];
                            for (uint i = 0; i < TO; i++) acc[i][j][kh][kw] += gv[i][q] * xv;
                        }
                }
            }
        }
        for (uint i = 0; i < TO; i++) {
            if (o0 + i >= p.O) break;
            for (uint j = 0; j < TC; j++) {
                if (c0 + j >= p.C) break;
                for (uint kh = 0; kh < KH; kh++)
                    for (uint kw = 0; kw < KW; kw++)
                        dw[(((o0 + i) * p.C + c0 + j) * KH + kh) * KW + kw] = acc[i][j][kh][kw];
            }
        }
    }
    }
}
