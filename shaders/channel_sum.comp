#version 450
// channel_sum: y[c] = scale * the sum over samples and positions of
// x[n][c][.] for x [N, C, HW] (a convolution's bias gradient, a GroupNorm
// gamma's: the graph's ReduceSum over every axis but the channels), one
// workgroup per channel (2-D grid), a fixed-order reduction (wg_sum.glsl:
// a tree in shared memory here, subgroupAdd in channel_sum_sg), so the
// result is deterministic.
#include "channel_sum.glsl"
