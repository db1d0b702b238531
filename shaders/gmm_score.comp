#version 450
// gmm_score with the per-time table read through a storage buffer (GPUs);
// the kernel is gmm_score.glsl.
#include "gmm_score.glsl"
