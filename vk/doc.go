// Package vk is sdevk's Vulkan compute core: four nouns on top of
// github.com/vulkan-go/vulkan.
//
//   - Device: one physical device opened for compute. Open picks discrete >
//     integrated > virtual > CPU unless Options.Device or SDEVK_DEVICE names
//     one (index or part of the name). It loads the loader as libvulkan.so.1
//     (users have no -dev package) and reads Vulkan 1.1 properties (subgroup
//     size, fp16, driver name, UUIDs) through a small cgo file.
//   - Buffer: a range of a large VkDeviceMemory block; the sub-allocator keeps
//     Vulkan allocations few. Buffers are read and written through mapped
//     memory where the device allows it, and through staging copies where it
//     does not (discrete GPUs); Options.ForceStaging or SDEVK_FORCE_STAGING=1
//     takes the staging path everywhere, so lavapipe tests cover it.
//   - Kernel: a compute pipeline from embedded SPIR-V, with the workgroup size
//     and tile sizes as specialization constants and sizes as push constants,
//     checked against the device's limits. A binding is a storage buffer, or
//     (BindingKind TexelsVec4) a read-only RGBA32F texel buffer, whose view
//     is made once per range and lives with the memory block: lavapipe
//     fetches texels as vectors but storage-buffer values one at a time.
//     Its bindings, which of them it writes (the ones not readonly) and its
//     push-constant size are read from the SPIR-V (ReadInterface); a spec
//     that states them is checked against it when the kernel is loaded.
//     Pipelines go through a
//     VkPipelineCache persisted per device and driver in the user's cache
//     directory.
//   - Sequence: many dispatches recorded into one command buffer, with a
//     barrier only where a command depends on an earlier one's bytes,
//     submitted again and again without re-recording; optional timestamps give
//     GPU time per dispatch.
//
// SDEVK_VALIDATE=1 enables the Khronos validation layer; every message is
// kept (ValidationMessages) and the tests fail on any.
//
// Handles returned by vulkan-go calls are written to local variables first:
// cgo's pointer check inspects the whole Go object an output pointer points
// into, and a field of a struct holding Go pointers fails it.
package vk
