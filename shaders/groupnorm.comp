#version 450
// groupnorm: y = act((x - mean) * rstd [* gamma[c] + beta[c]]) over NCHW x, with
// mean and rstd = 1/sqrt(var + eps) per (sample, group) over the group's
// C/G channels and H*W positions (contiguous in NCHW). A workgroup does one
// (sample, group) at a time (2-D grid); a fixed-order reduction (wg_sum.glsl,
// a tree in shared memory here, subgroupAdd in groupnorm_sg) makes the
// result deterministic. mean and rstd are saved for the backward pass when
// SAVE.
#include "groupnorm.glsl"
