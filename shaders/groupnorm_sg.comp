#version 450
// groupnorm_sg: groupnorm whose workgroup is one full subgroup, reducing
// with subgroupAdd instead of shared memory and barriers (CPU-type devices,
// whose subgroups are their fixed SIMD width: lavapipe's barriers cost
// half of groupnorm's time there).
#extension GL_KHR_shader_subgroup_arithmetic : require
#define SUBGROUP_SUM
#include "groupnorm.glsl"
