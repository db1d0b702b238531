#version 450
// sgemm_reg_ep: sgemm_reg with the bias-and-activation epilogue
// (sgemm_epilogue.glsl): A, B, bias, C at bindings 0..3.
#define EPILOGUE
#define C_BINDING 3
#include "sgemm_reg.glsl"
