package vk

/*
#include <stdint.h>
#include <stddef.h>
#include <string.h>

// Direct calls for the commands sdevk issues per dispatch or per submit.
// vulkan-go copies slice arguments into C memory that a finaliser frees,
// and that finaliser can run while the command is still executing (the Go
// value it hangs on is unreachable once the C pointer is taken). These shims
// build the structures on the C stack instead. The structures are declared
// field for field as in vulkan_core.h (users have no Vulkan headers).
typedef void* (*sdevk_gipa_t)(void* instance, const char* name);
typedef void* (*sdevk_gdpa_t)(void* device, const char* name);

typedef struct { int32_t sType; const void* pNext; uint32_t srcAccessMask; uint32_t dstAccessMask; } sdevk_memory_barrier;
typedef struct { uint64_t srcOffset, dstOffset, size; } sdevk_buffer_copy;
typedef struct { uint64_t buffer, offset, range; } sdevk_buffer_info;
typedef struct {
	int32_t sType; const void* pNext; uint64_t dstSet; uint32_t dstBinding, dstArrayElement, descriptorCount;
	int32_t descriptorType; const void* pImageInfo; const sdevk_buffer_info* pBufferInfo; const void* pTexelBufferView;
} sdevk_write_set;
typedef struct {
	int32_t sType; const void* pNext; uint32_t waitSemaphoreCount; const void* pWaitSemaphores; const uint32_t* pWaitDstStageMask;
	uint32_t commandBufferCount; void* const* pCommandBuffers; uint32_t signalSemaphoreCount; const void* pSignalSemaphores;
} sdevk_submit_info;
typedef struct { uint32_t constantID, offset; size_t size; } sdevk_spec_entry;
typedef struct { uint32_t mapEntryCount; const sdevk_spec_entry* pMapEntries; size_t dataSize; const void* pData; } sdevk_spec_info;
typedef struct {
	int32_t sType; const void* pNext; uint32_t flags; uint32_t stage; uint64_t module; const char* pName; const sdevk_spec_info* pSpecializationInfo;
} sdevk_stage_info;
typedef struct {
	int32_t sType; const void* pNext; uint32_t flags; sdevk_stage_info stage; uint64_t layout; uint64_t basePipelineHandle; int32_t basePipelineIndex;
} sdevk_compute_pipeline_info;

typedef struct {
	void (*barrier)(void*, uint32_t, uint32_t, uint32_t, uint32_t, const sdevk_memory_barrier*, uint32_t, const void*, uint32_t, const void*);
	void (*copy)(void*, uint64_t, uint64_t, uint32_t, const sdevk_buffer_copy*);
	void (*update)(void*, uint32_t, const sdevk_write_set*, uint32_t, const void*);
	int32_t (*submit)(void*, uint32_t, const sdevk_submit_info*, uint64_t);
	int32_t (*pipelines)(void*, uint64_t, uint32_t, const sdevk_compute_pipeline_info*, const void*, uint64_t*);
} sdevk_device_fns;

static int sdevk_load_device_fns(void* gipa, void* instance, void* device, sdevk_device_fns* f) {
	sdevk_gdpa_t gdpa = (sdevk_gdpa_t)((sdevk_gipa_t)gipa)(instance, "vkGetDeviceProcAddr");
	if (!gdpa) return 0;
	f->barrier = gdpa(device, "vkCmdPipelineBarrier");
	f->copy = gdpa(device, "vkCmdCopyBuffer");
	f->update = gdpa(device, "vkUpdateDescriptorSets");
	f->submit = gdpa(device, "vkQueueSubmit");
	f->pipelines = gdpa(device, "vkCreateComputePipelines");
	return f->barrier && f->copy && f->update && f->submit && f->pipelines;
}

static void sdevk_barrier(sdevk_device_fns* f, void* cmd, uint32_t srcStage, uint32_t dstStage, uint32_t srcAccess, uint32_t dstAccess) {
	sdevk_memory_barrier b = {46, 0, srcAccess, dstAccess}; // VK_STRUCTURE_TYPE_MEMORY_BARRIER
	f->barrier(cmd, srcStage, dstStage, 0, 1, &b, 0, 0, 0, 0);
}

static void sdevk_copy(sdevk_device_fns* f, void* cmd, uint64_t src, uint64_t dst, uint64_t srcOff, uint64_t dstOff, uint64_t size) {
	sdevk_buffer_copy r = {srcOff, dstOff, size};
	f->copy(cmd, src, dst, 1, &r);
}

// sdevk_copy_regions records one copy of n regions (the driver copies the
// array while recording).
static void sdevk_copy_regions(sdevk_device_fns* f, void* cmd, uint64_t src, uint64_t dst, uint32_t n, const sdevk_buffer_copy* r) {
	f->copy(cmd, src, dst, n, r);
}

// sdevk_update_set writes bindings 0..n-1 of set: storage buffers, or
// uniform texel buffers where views[i] is not null.
static void sdevk_update_set(sdevk_device_fns* f, void* device, uint64_t set, uint32_t n, const uint64_t* bufs, const uint64_t* offs, const uint64_t* ranges, const uint64_t* views) {
	sdevk_buffer_info info[32];
	sdevk_write_set w[32];
	if (n > 32) n = 32;
	for (uint32_t i = 0; i < n; i++) {
		info[i].buffer = bufs[i]; info[i].offset = offs[i]; info[i].range = ranges[i];
		memset(&w[i], 0, sizeof w[i]);
		w[i].sType = 35; // VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
		w[i].dstSet = set; w[i].dstBinding = i; w[i].descriptorCount = 1;
		if (views[i]) {
			w[i].descriptorType = 4; // VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
			w[i].pTexelBufferView = &views[i];
		} else {
			w[i].descriptorType = 7; // VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
			w[i].pBufferInfo = &info[i];
		}
	}
	f->update(device, n, w, 0, 0);
}

static int32_t sdevk_submit(sdevk_device_fns* f, void* queue, void* cmd, uint64_t fence) {
	void* cmds[1] = {cmd};
	sdevk_submit_info s;
	memset(&s, 0, sizeof s);
	s.sType = 4; // VK_STRUCTURE_TYPE_SUBMIT_INFO
	s.commandBufferCount = 1; s.pCommandBuffers = cmds;
	return f->submit(queue, 1, &s, fence);
}

static int32_t sdevk_create_pipeline(sdevk_device_fns* f, void* device, uint64_t cache, uint64_t module, uint64_t layout,
		const uint32_t* spec, uint32_t nspec, uint64_t* out) {
	sdevk_spec_entry e[256];
	if (nspec > 256) return -13; // VK_ERROR_UNKNOWN
	for (uint32_t i = 0; i < nspec; i++) { e[i].constantID = i; e[i].offset = 4 * i; e[i].size = 4; }
	sdevk_spec_info si = {nspec, e, 4 * (size_t)nspec, spec};
	sdevk_compute_pipeline_info ci;
	memset(&ci, 0, sizeof ci);
	ci.sType = 29; // VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO
	ci.stage.sType = 18; // VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
	ci.stage.stage = 0x20; // VK_SHADER_STAGE_COMPUTE_BIT
	ci.stage.module = module; ci.stage.pName = "main"; ci.stage.pSpecializationInfo = &si;
	ci.layout = layout; ci.basePipelineIndex = -1;
	return f->pipelines(device, cache, 1, &ci, 0, out);
}
*/
import "C"

import (
	"fmt"
	"runtime/debug"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// deviceFns are the device-level entry points the shims call.
type deviceFns struct{ c C.sdevk_device_fns }

func loadDeviceFns(in vk.Instance, dev vk.Device) (*deviceFns, error) {
	f := &deviceFns{}
	if C.sdevk_load_device_fns(loader.gipa, unsafe.Pointer(in), unsafe.Pointer(dev), &f.c) == 0 {
		return nil, fmt.Errorf("vulkan: the driver lacks core Vulkan 1.0 device commands")
	}
	return f, nil
}

func handle64[T any](h T) C.uint64_t { return C.uint64_t(*(*uint64)(unsafe.Pointer(&h))) }

func (f *deviceFns) barrier(cmd vk.CommandBuffer, srcStage, dstStage vk.PipelineStageFlags, srcAccess, dstAccess vk.AccessFlags) {
	C.sdevk_barrier(&f.c, unsafe.Pointer(cmd), C.uint32_t(srcStage), C.uint32_t(dstStage), C.uint32_t(srcAccess), C.uint32_t(dstAccess))
}

// copyRegions records one vkCmdCopyBuffer of ranges, given in bytes from
// the start of src and dst.
func (f *deviceFns) copyRegions(cmd vk.CommandBuffer, src, dst vk.Buffer, ranges []CopyRange) {
	r := make([]C.sdevk_buffer_copy, len(ranges))
	for i, x := range ranges {
		r[i] = C.sdevk_buffer_copy{srcOffset: C.uint64_t(x.SrcOff), dstOffset: C.uint64_t(x.DstOff), size: C.uint64_t(x.Size)}
	}
	C.sdevk_copy_regions(&f.c, unsafe.Pointer(cmd), handle64(src), handle64(dst), C.uint32_t(len(r)), &r[0])
}

func (f *deviceFns) copyBuffer(cmd vk.CommandBuffer, src, dst vk.Buffer, srcOff, dstOff, size uint64) {
	C.sdevk_copy(&f.c, unsafe.Pointer(cmd), handle64(src), handle64(dst), C.uint64_t(srcOff), C.uint64_t(dstOff), C.uint64_t(size))
}

// updateSet binds bufs to set: as storage buffers, or through views[i]
// where that is not null.
func (f *deviceFns) updateSet(dev vk.Device, set vk.DescriptorSet, bufs []*Buffer, views []vk.BufferView) {
	var b, o, r, v [32]C.uint64_t
	for i, x := range bufs {
		b[i], o[i], r[i] = handle64(x.blk.buffer), C.uint64_t(x.offset), C.uint64_t(x.alloc)
		if views[i] != nil {
			v[i] = handle64(views[i])
		}
	}
	C.sdevk_update_set(&f.c, unsafe.Pointer(dev), handle64(set), C.uint32_t(len(bufs)), &b[0], &o[0], &r[0], &v[0])
}

func (f *deviceFns) submit(q vk.Queue, cmd vk.CommandBuffer, fence vk.Fence) vk.Result {
	return vk.Result(C.sdevk_submit(&f.c, unsafe.Pointer(q), unsafe.Pointer(cmd), handle64(fence)))
}

func (f *deviceFns) createPipeline(dev vk.Device, cache vk.PipelineCache, module vk.ShaderModule, layout vk.PipelineLayout, spec []uint32) (vk.Pipeline, vk.Result) {
	var out C.uint64_t
	r := C.sdevk_create_pipeline(&f.c, unsafe.Pointer(dev), handle64(cache), handle64(module), handle64(layout),
		(*C.uint32_t)(unsafe.Pointer(&spec[0])), C.uint32_t(len(spec)), &out)
	p := uint64(out)
	return *(*vk.Pipeline)(unsafe.Pointer(&p)), vk.Result(r)
}

// WithoutGC runs vulkan-go calls made outside this package (the viewer's
// swapchain recording) with the collector paused; see withoutGC.
func WithoutGC(call func()) { withoutGC(call) }

// withoutGC runs a vulkan-go call whose slice arguments live in C memory
// freed by a finaliser, with the collector off, so the memory outlives the
// call. It is for calls made once per device or per sequence; the per-dispatch
// ones use the shims above.
func withoutGC(call func()) {
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	call()
}
