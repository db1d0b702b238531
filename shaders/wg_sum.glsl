// wg_sum returns the sum of v over the workgroup to every invocation, in a
// fixed order (deterministic). With SUBGROUP_SUM the workgroup must be one
// full subgroup (the host's promise) and subgroupAdd does it; otherwise a
// tree in shared memory, whose width gl_WorkGroupSize.x is a power of two.
// Call it in uniform control flow.
#ifdef SUBGROUP_SUM
vec2 wg_sum(vec2 v) { return subgroupAdd(v); }
#else
shared vec2 red[gl_WorkGroupSize.x];

vec2 wg_sum(vec2 v) {
    const uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s /= 2) {
        if (t < s) red[t] += red[t + s];
        barrier();
    }
    vec2 r = red[0];
    barrier();
    return r;
}
#endif
