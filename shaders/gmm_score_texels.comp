#version 450
// gmm_score with the per-time table read as RGBA32F texels, which lavapipe
// fetches as whole vectors (CPU-type devices); the kernel is gmm_score.glsl.
#define TEXELS
#include "gmm_score.glsl"
