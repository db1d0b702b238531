#version 450
// sgemm_reg_texels: SGEMM for CPU-type devices with A and B as RGBA32F
// texel buffers (the kernel is sgemm_reg.glsl).
#define TEXELS
#include "sgemm_reg.glsl"
