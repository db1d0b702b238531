#version 450
// im2col: convolution windows into GEMM columns (the kernel is im2col.glsl).
#include "im2col.glsl"
