#version 450
// groupnorm_grad_sg: groupnorm_grad whose workgroup is one full subgroup,
// reducing with subgroupAdd (see groupnorm_sg).
#extension GL_KHR_shader_subgroup_arithmetic : require
#define SUBGROUP_SUM
#include "groupnorm_grad.glsl"
