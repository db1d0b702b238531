package vk

/*
#include <stdint.h>
#include <stdlib.h>

// vulkan-go's Enumerate...Properties, GetPhysicalDeviceQueueFamilyProperties
// and GetPhysicalDeviceSurfaceFormatsKHR copy their output arrays through C
// memory that a finaliser frees as soon as the Go variable holding it is
// unreachable, which is before the command writes into it: a GC cycle
// during the call makes the loader write into freed heap chunks (glibc then
// aborts with "malloc(): unsorted double linked list corrupted"). These
// shims own the array for the whole call. Strides are the structures'
// sizes in vulkan_core.h (users have no Vulkan headers).
typedef void* (*sdevk_enum_gipa)(void* instance, const char* name);
typedef int32_t (*sdevk_enum_inst_ext_fn)(const char*, uint32_t*, void*);
typedef int32_t (*sdevk_enum_layers_fn)(uint32_t*, void*);
typedef int32_t (*sdevk_enum_dev_ext_fn)(void*, const char*, uint32_t*, void*);
typedef void (*sdevk_qfp_fn)(void*, uint32_t*, void*);
typedef int32_t (*sdevk_surface_formats_fn)(void*, uint64_t, uint32_t*, void*);

enum { SDEVK_INST_EXT, SDEVK_LAYERS, SDEVK_DEV_EXT, SDEVK_QUEUES, SDEVK_SURFACE_FORMATS };

static size_t sdevk_enum_stride(int what) {
	switch (what) {
	case SDEVK_LAYERS: return 520; // VkLayerProperties
	case SDEVK_QUEUES: return 24;  // VkQueueFamilyProperties
	case SDEVK_SURFACE_FORMATS: return 8; // VkSurfaceFormatKHR
	default: return 260;           // VkExtensionProperties
	}
}

static int32_t sdevk_enum_call(void* fn, int what, void* pd, uint64_t surface, uint32_t* n, void* out) {
	switch (what) {
	case SDEVK_SURFACE_FORMATS: return ((sdevk_surface_formats_fn)fn)(pd, surface, n, out);
	case SDEVK_INST_EXT: return ((sdevk_enum_inst_ext_fn)fn)(0, n, out);
	case SDEVK_LAYERS: return ((sdevk_enum_layers_fn)fn)(n, out);
	case SDEVK_DEV_EXT: return ((sdevk_enum_dev_ext_fn)fn)(pd, 0, n, out);
	default: ((sdevk_qfp_fn)fn)(pd, n, out); return 0;
	}
}

// sdevk_enumerate returns a malloc'd array of *n elements (free it), or
// null with *n = 0.
static void* sdevk_enumerate(void* gipa, void* instance, void* pd, uint64_t surface, int what, uint32_t* n) {
	static const char* names[] = {"vkEnumerateInstanceExtensionProperties", "vkEnumerateInstanceLayerProperties",
		"vkEnumerateDeviceExtensionProperties", "vkGetPhysicalDeviceQueueFamilyProperties",
		"vkGetPhysicalDeviceSurfaceFormatsKHR"};
	void* fn = ((sdevk_enum_gipa)gipa)(what < SDEVK_DEV_EXT ? 0 : instance, names[what]);
	*n = 0;
	if (!fn) return 0;
	for (int tries = 0; tries < 8; tries++) {
		uint32_t count = 0;
		if (sdevk_enum_call(fn, what, pd, surface, &count, 0) < 0 || count == 0) return 0;
		void* out = calloc(count, sdevk_enum_stride(what));
		if (!out) return 0;
		int32_t r = sdevk_enum_call(fn, what, pd, surface, &count, out);
		if (r == 0) { *n = count; return out; }
		free(out);
		if (r != 5) return 0; // VK_INCOMPLETE: the list grew, ask again
	}
	return 0;
}
*/
import "C"

import (
	"encoding/binary"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

const (
	enumInstanceExtensions = C.SDEVK_INST_EXT
	enumLayers             = C.SDEVK_LAYERS
	enumDeviceExtensions   = C.SDEVK_DEV_EXT
	enumQueueFamilies      = C.SDEVK_QUEUES
	enumSurfaceFormats     = C.SDEVK_SURFACE_FORMATS
)

// enumerateRaw runs one enumeration and calls each with every element's bytes.
func enumerateRaw(instance vk.Instance, pd vk.PhysicalDevice, surface vk.Surface, what C.int, each func([]byte)) {
	var n C.uint32_t
	p := C.sdevk_enumerate(loader.gipa, unsafe.Pointer(instance), unsafe.Pointer(pd), C.uint64_t(uintptr(unsafe.Pointer(surface))), what, &n)
	if p == nil {
		return
	}
	defer C.free(p)
	stride := int(C.sdevk_enum_stride(what))
	all := unsafe.Slice((*byte)(p), int(n)*stride)
	for i := 0; i < int(n); i++ {
		each(all[i*stride : (i+1)*stride])
	}
}

// enumerateNames returns the names (the first 256 bytes of each element) of
// instance extensions, layers or pd's device extensions.
func enumerateNames(instance vk.Instance, pd vk.PhysicalDevice, what C.int) map[string]bool {
	m := map[string]bool{}
	enumerateRaw(instance, pd, vk.NullSurface, what, func(e []byte) { m[vk.ToString(e[:256])] = true })
	return m
}

// queueFamily is what sdevk reads of a VkQueueFamilyProperties.
type queueFamily struct {
	flags, count, timestampBits uint32
}

func queueFamilies(instance vk.Instance, pd vk.PhysicalDevice) []queueFamily {
	var out []queueFamily
	enumerateRaw(instance, pd, vk.NullSurface, enumQueueFamilies, func(e []byte) {
		out = append(out, queueFamily{u32(e, 0), u32(e, 4), u32(e, 8)})
	})
	return out
}

func u32(e []byte, off int) uint32 { return binary.NativeEndian.Uint32(e[off:]) }

// SurfaceFormat is one (format, colour space) pair a surface offers.
type SurfaceFormat struct {
	Format     vk.Format
	ColorSpace vk.ColorSpace
}

// SurfaceFormats lists the formats the device's window surface offers
// (none without a surface).
func (d *Device) SurfaceFormats() []SurfaceFormat {
	if d.surface == vk.NullSurface {
		return nil
	}
	var out []SurfaceFormat
	enumerateRaw(d.inst.handle, d.pd, d.surface, enumSurfaceFormats, func(e []byte) {
		out = append(out, SurfaceFormat{vk.Format(u32(e, 0)), vk.ColorSpace(u32(e, 4))})
	})
	return out
}
