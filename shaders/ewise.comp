#version 450
// ewise: a fused elementwise program, one float per index (ewise.glsl).
#include "ewise.glsl"
