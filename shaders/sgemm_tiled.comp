#version 450
// sgemm_tiled: C = alpha * op(A) op(B) + beta * C, row-major, batched, for
// GPUs. A workgroup of LX x LY invocations computes a BM x BN tile of C
// (BM = LY * TM, BN = LX * TN), staging BK-deep slices of A and B in shared
// memory; each invocation accumulates TM x TN outputs in registers, strided
// by LY rows and LX columns so that shared-memory reads are broadcasts or
// consecutive and global stores coalesce. Loads are scalar, in the order
// that keeps consecutive invocations on consecutive addresses for each
// transpose, and guarded, so any M, N, K work. The host checks the tile
// against maxComputeSharedMemorySize and maxComputeWorkGroupInvocations.
//
// The grid is (column tiles, row tiles, batch), each clamped by the host to
// maxComputeWorkGroupCount; workgroups loop over whatever the grid misses
// (uniformly, so the barriers stay in uniform control flow).
#include "common.glsl"

layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
layout(constant_id = 5) const uint BK = 16;
layout(constant_id = 6) const bool TA = false; // A is stored K x M
layout(constant_id = 7) const bool TB = false; // B is stored N x K

const uint BM = gl_WorkGroupSize.y * TM;
const uint BN = gl_WorkGroupSize.x * TN;
const uint SA = BM + 1; // padded rows of the shared tiles (no bank conflicts)
const uint SB = BN + 1;

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) buffer C { float c[]; };
layout(push_constant) uniform P {
    uint M, N, K;
    float alpha, beta;
    uint sa, sb, sc;
    uint batch;
} p;

shared float As[BK * SA]; // As[kk * SA + r] = op(A)[m0 + r][k0 + kk]
shared float Bs[BK * SB]; // Bs[kk * SB + c] = op(B)[k0 + kk][n0 + c]

void main() {
    const uint M = p.M, N = p.N, K = p.K;
    const uint tilesM = (M + BM - 1) / BM, tilesN = (N + BN - 1) / BN;
    const uint lx = gl_LocalInvocationID.x, ly = gl_LocalInvocationID.y;
    const uint tid = gl_LocalInvocationIndex;
    const uint NT = gl_WorkGroupSize.x * gl_WorkGroupSize.y;

    for (uint z = gl_WorkGroupID.z; z < p.batch; z += gl_NumWorkGroups.z) {
    const uint oa = z * p.sa, ob = z * p.sb, oc = z * p.sc;
    for (uint ty = gl_WorkGroupID.y; ty < tilesM; ty += gl_NumWorkGroups.y) {
    for (uint tx = gl_WorkGroupID.x; tx < tilesN; tx += gl_NumWorkGroups.x) {
        const uint m0 = ty * BM, n0 = tx * BN;
        float acc[TM][TN];
        for (uint i = 0; i < TM; i++)
            for (uint j = 0; j < TN; j++) acc[i][j] = 0.0;

        for (uint k0 = 0; k0 < K; k0 += BK) {
            for (uint e = tid; e < BM * BK; e += NT) {
                // Consecutive e walk A's contiguous dimension.
                uint r, kk;
                if (TA) { kk = e / BM; r = e % BM; } else { r = e / BK; kk = e % BK; }
                const uint gr = m0 + r, gk = k0 + kk;
                float v = 0.0;
                if (gr < M && gk < K) v = TA ? a[oa + gk * M + gr] : a[oa + gr * K + gk];
                As[kk * SA + r] = v;
            }
            for (uint e = tid; e < BN * BK; e += NT) {
                uint cc, kk;
                if (TB) { cc = e / BK; kk = e % BK; } else { kk = e / BN; cc = e % BN; }
                const uint gc = n0 + cc, gk = k0 + kk;
                float v = 0.0;
                if (gc < N && gk < K) v = TB ? b[ob + gc * K + gk] : b[ob + gk * N + gc];
                Bs[kk * SB + cc] = v;
            }
            barrier();
            for (uint kk = 0; kk < BK; kk++) {
                float av[TM], bv[TN];
                for (uint i = 0; i < TM; i++) av[i] = As[kk * SA + ly + i * gl_WorkGroupSize.y];
                for (uint j = 0; j < TN; j++) bv[j] = Bs[kk * SB + lx + j * gl_WorkGroupSize.x];
                for (uint i = 0; i < TM; i++)
                    for (uint j = 0; j < TN; j++) acc[i][j] += av[i] * bv[j];
            }
            barrier();
        }

        for (uint i = 0; i < TM; i++) {
            const uint r = m0 + ly + i * gl_WorkGroupSize.y;
            if (r >= M) break;
            for (uint j = 0; j < TN; j++) {
                const uint cc = n0 + lx + j * gl_WorkGroupSize.x;
                if (cc >= N) break;
                const uint o = oc + r * N + cc;
                float v = p.alpha * acc[i][j];
                c[o] = p.beta == 0.0 ? v : v + p.beta * c[o];
            }
        }
    }
    }
    }
}
