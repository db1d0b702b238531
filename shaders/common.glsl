// Shared definitions for every sdevk compute shader.
//
// Workgroup sizes are specialization constants 0-2, so one SPIR-V module
// serves CPU-type and GPU-type devices with different group shapes.
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

// flat_id is the invocation's index in a 1-D problem dispatched as a 2-D grid
// (the host spills into y when x would exceed maxComputeWorkGroupCount[0]).
uint flat_id() {
    return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}
