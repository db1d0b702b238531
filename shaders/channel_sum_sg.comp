#version 450
// channel_sum_sg: channel_sum whose workgroup is one full subgroup,
// reducing with subgroupAdd (see groupnorm_sg).
#extension GL_KHR_shader_subgroup_arithmetic : require
#define SUBGROUP_SUM
#include "channel_sum.glsl"
