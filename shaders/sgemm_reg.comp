#version 450
// sgemm_reg: SGEMM for CPU-type devices with A and B as storage buffers
// (the kernel is sgemm_reg.glsl).
#include "sgemm_reg.glsl"
