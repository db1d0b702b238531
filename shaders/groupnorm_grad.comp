#version 450
// groupnorm_grad: the data gradient of groupnorm. With g = gy * gamma[c]
// (gy without AFFINE) and xhat = (x - mean) * rstd per (sample, group):
//   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)).
// mean and rstd come from the forward pass when STATS, and are recomputed
// otherwise. A workgroup does one (sample, group) at a time (see groupnorm),
// with fixed-order reductions.
#include "groupnorm_grad.glsl"
