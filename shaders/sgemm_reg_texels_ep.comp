#version 450
// sgemm_reg_texels_ep: sgemm_reg_texels with the bias-and-activation
// epilogue (sgemm_epilogue.glsl): A, B, bias, C at bindings 0..3.
#define TEXELS
#define EPILOGUE
#define C_BINDING 3
#include "sgemm_reg.glsl"
