#version 450
// im2col_w64: im2col storing 64-bit words (needs shaderInt64; the kernel is
// im2col.glsl).
#define STORE64
#include "im2col.glsl"
