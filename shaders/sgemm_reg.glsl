// sgemm_reg: C = alpha * op(A) op(B) + beta * C, row-major, batched, for
// CPU-type devices (lavapipe). No shared memory and no barriers. Included by
// sgemm_reg.comp (A and B are storage buffers) and sgemm_reg_texels.comp
// (TEXELS: A and B are RGBA32F texel buffers, which lavapipe fetches as
// vectors: 1.05-2x faster; the host uses it with VEC only).
//
// lavapipe runs a subgroup as the SIMD lanes of one CPU thread and executes a
// load whose address differs between lanes one lane and one component at a
// time, while a shuffle with a constant lane index is one vector instruction.
// So loads per multiply-add set the speed, and a subgroup shares its loads:
// its SG lanes cover TM rows by SG*TN columns of C, each lane a TM x TN block
// in registers; per step of 4 along k a lane loads TM/SG vec4 units of the
// rows of A (the subgroup's TM units split across the lanes, then shuffled to
// all of them) and its own TN vec4 units of B, against 4*TM*TN multiply-adds.
// A workgroup is (SG, NSG): NSG subgroups stacked along M. SG = 1 turns the
// sharing off (for devices without a usable subgroup size): each invocation
// then loads all of its rows itself.
//
// With VEC (the host's promise that the contiguous dimensions of A and B
// and their batch strides are multiples of 4) the units are vec4 loads along
// those dimensions, 4 values of k per step; without it, scalar loads, one k
// per step (the same loads per multiply-add, a quarter of the code). C is
// read and written as vec4 when VECC says that N and its batch stride are
// multiples of 4. VECB false keeps the vec4 loads of A but loads B's rows
// (!TB) a value at a time: a product of N = 2 columns (an MLP's output
// layer) would otherwise lose the vec4 loads of A too. Indices are clamped into the matrices: extra rows and
// columns compute duplicates that are never stored, and values past K are
// replaced by zeros, so M, N and K need not be multiples of anything.
//
// The grid is (column tiles, row tiles, batch), each clamped by the host to
// maxComputeWorkGroupCount; workgroups loop over whatever the grid misses.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "common.glsl"

layout(constant_id = 3) const uint TM = 16;    // rows of C per invocation (multiple of 4)
layout(constant_id = 4) const uint TN = 8;     // columns of C per invocation (multiple of 4)
layout(constant_id = 5) const bool TA = false; // A is stored K x M
layout(constant_id = 6) const bool TB = false; // B is stored N x K
layout(constant_id = 7) const bool VEC = true; // vec4 loads are aligned
layout(constant_id = 8) const uint SG = 8;     // subgroup size (= local size x), or 1
layout(constant_id = 9) const bool VECC = true; // N and C's batch stride are multiples of 4
layout(constant_id = 10) const bool VECB = true; // with VEC and !TB: B's rows are vec4 units too (else scalar loads of B)

const uint TM4 = TM / 4, TN4 = TN / 4;
const uint SH = (TM + SG - 1) / SG; // units of A each lane loads per k step

#ifdef TEXELS
layout(set = 0, binding = 0) uniform samplerBuffer A;
layout(set = 0, binding = 1) uniform samplerBuffer B;
vec4 a4(uint i) { return texelFetch(A, int(i)); }
vec4 b4(uint i) { return texelFetch(B, int(i)); }
float a1(uint i) { return a4(i / 4)[i % 4]; }
float b1(uint i) { return b4(i / 4)[i % 4]; }
#else
layout(std430, set = 0, binding = 0) readonly buffer A4 { vec4 a4_[]; };
layout(std430, set = 0, binding = 0) readonly buffer A1 { float a1_[]; };
layout(std430, set = 0, binding = 1) readonly buffer B4 { vec4 b4_[]; };
layout(std430, set = 0, binding = 1) readonly buffer B1 { float b1_[]; };
vec4 a4(uint i) { return a4_[i]; }
vec4 b4(uint i) { return b4_[i]; }
float a1(uint i) { return a1_[i]; }
float b1(uint i) { return b1_[i]; }
#endif
#ifndef C_BINDING
#define C_BINDING 2
#endif
layout(std430, set = 0, binding = C_BINDING) buffer C4 { vec4 c4[]; };
layout(std430, set = 0, binding = C_BINDING) buffer C1 { float c1[]; };
layout(push_constant) uniform P {
    uint M, N, K;
    float alpha, beta;
    uint sa, sb, sc; // batch strides in elements (0 broadcasts A or B)
    uint batch;
} p;

#ifdef EPILOGUE
// epilogue_begin(col0), EP4(v, q) and EP1(v, q, j) (sgemm_epilogue.glsl)
// transform each value of the block, beta * C added, before it is stored.
#include "sgemm_epilogue.glsl"
#else
#define EP4(v, q) (v)
#define EP1(v, q, j) (v)
#endif

// Unit t (t < TM) of the subgroup's slice of A at k (vec4 loads):
//   !TA: op(A)[row0 + t][k .. k+3]
//   TA:  op(A)[row0 + 4*(t % TM4) .. +3][k + t / TM4], zero past K
// Only TA && !TB can have K % 4 != 0 with vec4 loads (the host checks).
vec4 loadA(uint oa, uint row0, uint t, uint k) {
    const uint M = p.M, K = p.K;
    if (!TA) return a4((oa + min(row0 + t, M - 1) * K + k) / 4);
    const uint kk = k + t / TM4;
    const vec4 v = a4((oa + min(kk, K - 1) * M + min(row0 + 4 * (t % TM4), M - 4)) / 4);
    return TB || kk < K ? v : vec4(0.0);
}

// Scalar elements, indices already clamped.
float elemA(uint oa, uint r, uint k) { return TA ? a1(oa + k * p.M + r) : a1(oa + r * p.K + k); }
float elemB(uint ob, uint k, uint c) { return TB ? b1(ob + c * p.K + k) : b1(ob + k * p.N + c); }

void main() {
    const uint M = p.M, N = p.N, K = p.K;
    const uint lane = SG == 1 ? 0 : gl_SubgroupInvocationID;
    const uint lx = SG == 1 ? gl_LocalInvocationID.x : lane;
    const uint ly = SG == 1 ? gl_LocalInvocationID.y : gl_SubgroupID;
    const uint BM = gl_WorkGroupSize.y * TM, BN = gl_WorkGroupSize.x * TN;
    const uint tilesM = (M + BM - 1) / BM, tilesN = (N + BN - 1) / BN;

    for (uint z = gl_WorkGroupID.z; z < p.batch; z += gl_NumWorkGroups.z) {
    const uint oa = z * p.sa, ob = z * p.sb, oc = z * p.sc;
    for (uint ty = gl_WorkGroupID.y; ty < tilesM; ty += gl_NumWorkGroups.y) {
    for (uint tx = gl_WorkGroupID.x; tx < tilesN; tx += gl_NumWorkGroups.x) {
        const uint row0 = ty * BM + ly * TM;
        const uint col0 = tx * BN + lx * TN;

        vec4 acc[TM][TN4];
        for (uint i = 0; i < TM; i++)
            for (uint q = 0; q < TN4; q++) acc[i][q] = vec4(0.0);

        if (VEC) {
            for (uint k = 0; k < K; k += 4) {
                // This lane's share of A: units lane, lane + SG, ...
                vec4 sh[SH];
                for (uint s = 0; s < SH; s++) sh[s] = loadA(oa, row0, min(lane + SG * s, TM - 1), k);

                // This lane's B: bv[kk][q] = op(B)[k + kk][col0 + 4q .. +3].
                vec4 bv[4][TN4];
                if (TB) {
                    for (uint q = 0; q < TN4; q++) {
                        vec4 v[4];
                        for (uint c = 0; c < 4; c++) v[c] = b4((ob + min(col0 + 4 * q + c, N - 1) * K + k) / 4);
                        bv[0][q] = vec4(v[0].x, v[1].x, v[2].x, v[3].x);
                        bv[1][q] = vec4(v[0].y, v[1].y, v[2].y, v[3].y);
                        bv[2][q] = vec4(v[0].z, v[1].z, v[2].z, v[3].z);
                        bv[3][q] = vec4(v[0].w, v[1].w, v[2].w, v[3].w);
                    }
                } else {
                    for (uint kk = 0; kk < 4; kk++) {
                        const uint e = ob + min(k + kk, K - 1) * N;
                        for (uint q = 0; q < TN4; q++) {
                            const uint c = col0 + 4 * q;
                            const vec4 v = VECB ? b4((e + min(c, N - 4)) / 4)
                                                : vec4(b1(e + min(c, N - 1)), b1(e + min(c + 1, N - 1)),
                                                       b1(e + min(c + 2, N - 1)), b1(e + min(c + 3, N - 1)));
                            bv[kk][q] = !TA || k + kk < K ? v : vec4(0.0);
                        }
                    }
                }

                for (uint i = 0; i < TM; i++) {
                    // av[kk] = op(A)[row0 + i][k + kk], shuffled from the lane that loaded it.
                    vec4 av;
                    if (!TA) {
                        av = SG == 1 ? sh[i] : subgroupShuffle(sh[i / SG], i % SG);
                    } else {
                        for (uint kk = 0; kk < 4; kk++) {
                            const uint t = kk * TM4 + i / 4;
                            av[kk] = SG == 1 ? sh[t][i % 4] : subgroupShuffle(sh[t / SG][i % 4], t % SG);
                        }
                    }
                    for (uint kk = 0; kk < 4; kk++)
                        for (uint q = 0; q < TN4; q++) acc[i][q] += av[kk] * bv[kk][q];
                }
            }
        } else {
            // Scalar loads, one k at a time: rows of A shared as above.
            for (uint k = 0; k < K; k++) {
                float sh[SH];
                for (uint s = 0; s < SH; s++) sh[s] = elemA(oa, min(row0 + min(lane + SG * s, TM - 1), M - 1), k);
                vec4 bv[TN4];
                for (uint q = 0; q < TN4; q++) {
                    const uint c = col0 + 4 * q;
                    bv[q] = vec4(elemB(ob, k, min(c, N - 1)), elemB(ob, k, min(c + 1, N - 1)),
                                 elemB(ob, k, min(c + 2, N - 1)), elemB(ob, k, min(c + 3, N - 1)));
                }
                for (uint i = 0; i < TM; i++) {
                    const float av = SG == 1 ? sh[i] : subgroupShuffle(sh[i / SG], i % SG);
                    for (uint q = 0; q < TN4; q++) acc[i][q] += av * bv[q];
                }
            }
        }

        // Store row by row in a loop the compiler cannot unroll (its bound is
        // not a constant), shifting the block up a row each time: one row of
        // store code instead of TM keeps the pipeline quick to compile. With
        // beta == 0 (uniform), C is not read: NaNs in it do not propagate,
        // and the short sums of Winograd's products save 10-15% of their
        // time.
        const uint rows = row0 < M ? min(TM, M - row0) : 0;
#ifdef EPILOGUE
        epilogue_begin(col0);
#endif
        for (uint i = 0; i < rows; i++) {
            const uint o = oc + (row0 + i) * N + col0;
            for (uint q = 0; q < TN4; q++) {
                const vec4 v = p.alpha * acc[0][q];
                if (VECC) {
                    // col0 + 4q and N are multiples of 4: one test covers the vec4.
                    if (col0 + 4 * q < N) c4[o / 4 + q] = EP4(p.beta == 0.0 ? v : v + p.beta * c4[o / 4 + q], q);
                } else {
                    for (uint j = 0; j < 4; j++)
                        if (col0 + 4 * q + j < N) c1[o + 4 * q + j] = EP1(p.beta == 0.0 ? v[j] : v[j] + p.beta * c1[o + 4 * q + j], q, j);
                }
            }
            for (uint t = 0; t + 1 < TM; t++)
                for (uint q = 0; q < TN4; q++) acc[t][q] = acc[t + 1][q];
        }
    }
    }
    }
}
