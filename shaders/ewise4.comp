#version 450
// ewise4: a fused elementwise program, four elements per index (ewise.glsl).
#define EWISE_VEC4
#include "ewise.glsl"
