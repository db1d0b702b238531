package vk

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The Vulkan 1.1 / 1.2 structures below are declared here, field for field as in
// vulkan_core.h, because vulkan-go binds only Vulkan 1.0 commands and users'
// machines have no Vulkan headers. Only the pNext chain members are read; the
// large VkPhysicalDeviceProperties / Features payloads are opaque zeroed space.
typedef void* (*sdevk_gipa)(void* instance, const char* name);
typedef struct { int32_t sType; void* pNext; } sdevk_base;
typedef struct { int32_t sType; void* pNext; uint8_t payload[4096]; } sdevk_big2;
typedef struct { int32_t sType; void* pNext; uint32_t subgroupSize; uint32_t supportedStages; uint32_t supportedOperations; uint32_t quadOperationsInAllStages; } sdevk_subgroup;
typedef struct { int32_t sType; void* pNext; uint8_t deviceUUID[16]; uint8_t driverUUID[16]; uint8_t deviceLUID[8]; uint32_t deviceNodeMask; uint32_t deviceLUIDValid; } sdevk_id;
typedef struct { int32_t sType; void* pNext; uint32_t driverID; char driverName[256]; char driverInfo[256]; uint8_t conformance[4]; } sdevk_driver;
typedef struct { int32_t sType; void* pNext; uint32_t shaderFloat16; uint32_t shaderInt8; } sdevk_f16i8;
typedef struct { int32_t sType; void* pNext; uint32_t sb16; uint32_t ubsb16; uint32_t pc16; uint32_t io16; } sdevk_storage16;

typedef struct {
	uint32_t subgroupSize, subgroupOps, subgroupStages;
	uint8_t deviceUUID[16], driverUUID[16];
	uint32_t driverID;
	char driverName[256], driverInfo[256];
	uint32_t shaderFloat16, storageBuffer16;
	int haveProps2, haveDriverProps;
} sdevk_ext_info;

static void* sdevk_dlopen(const char* name) { return dlopen(name, RTLD_NOW | RTLD_LOCAL); }
static const char* sdevk_dlerror(void) { const char* e = dlerror(); return e ? e : ""; }
static void* sdevk_dlsym(void* h, const char* name) { return dlsym(h, name); }

typedef void (*sdevk_getprops2)(void* pd, void* props);
typedef int32_t (*sdevk_enum_version)(uint32_t* v);

static uint32_t sdevk_instance_version(void* gipa) {
	sdevk_enum_version f = (sdevk_enum_version)((sdevk_gipa)gipa)(0, "vkEnumerateInstanceVersion");
	uint32_t v = 1u << 22; // Vulkan 1.0 loaders lack the entry point
	if (f && f(&v) != 0) v = 1u << 22;
	return v;
}

static void sdevk_query(void* gipa, void* instance, void* pd, int wantDriver, sdevk_ext_info* out) {
	memset(out, 0, sizeof(*out));
	sdevk_getprops2 props2 = (sdevk_getprops2)((sdevk_gipa)gipa)(instance, "vkGetPhysicalDeviceProperties2");
	sdevk_getprops2 feats2 = (sdevk_getprops2)((sdevk_gipa)gipa)(instance, "vkGetPhysicalDeviceFeatures2");
	if (!props2 || !feats2) return;
	out->haveProps2 = 1;
	sdevk_driver drv; memset(&drv, 0, sizeof drv); drv.sType = 1000196000;
	sdevk_id id; memset(&id, 0, sizeof id); id.sType = 1000071004; id.pNext = wantDriver ? &drv : 0;
	sdevk_subgroup sg; memset(&sg, 0, sizeof sg); sg.sType = 1000094000; sg.pNext = &id;
	sdevk_big2* p = calloc(1, sizeof(sdevk_big2)); p->sType = 1000059001; p->pNext = &sg;
	props2(pd, p);
	out->subgroupSize = sg.subgroupSize; out->subgroupOps = sg.supportedOperations; out->subgroupStages = sg.supportedStages;
	memcpy(out->deviceUUID, id.deviceUUID, 16); memcpy(out->driverUUID, id.driverUUID, 16);
	if (wantDriver) {
		out->haveDriverProps = 1; out->driverID = drv.driverID;
		memcpy(out->driverName, drv.driverName, 256); memcpy(out->driverInfo, drv.driverInfo, 256);
		out->driverName[255] = 0; out->driverInfo[255] = 0;
	}
	sdevk_storage16 s16; memset(&s16, 0, sizeof s16); s16.sType = 1000083000;
	sdevk_f16i8 f16; memset(&f16, 0, sizeof f16); f16.sType = 1000082000; f16.pNext = &s16;
	memset(p, 0, sizeof(sdevk_big2)); p->sType = 1000059000; p->pNext = &f16;
	feats2(pd, p);
	out->shaderFloat16 = f16.shaderFloat16; out->storageBuffer16 = s16.sb16;
	free(p);
}
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// loaderName is the Vulkan loader's runtime soname. vulkan-go's default loader
// opens libvulkan.so, which only the -dev package installs; users have the
// runtime library alone.
const loaderName = "libvulkan.so.1"

// MissingVulkanHelp names the packages that provide a Vulkan loader and a
// driver on Debian and Ubuntu.
const MissingVulkanHelp = "install a Vulkan loader and driver: apt-get install libvulkan1 mesa-vulkan-drivers (or your GPU vendor's driver)"

var loader struct {
	once sync.Once
	gipa unsafe.Pointer
	err  error
}

// loadVulkan opens the Vulkan loader once per process and initialises vulkan-go.
func loadVulkan() error {
	loader.once.Do(func() {
		name := C.CString(loaderName)
		defer C.free(unsafe.Pointer(name))
		h := C.sdevk_dlopen(name)
		if h == nil {
			loader.err = fmt.Errorf("vulkan: cannot load %s (%s): %s", loaderName, C.GoString(C.sdevk_dlerror()), MissingVulkanHelp)
			return
		}
		sym := C.CString("vkGetInstanceProcAddr")
		defer C.free(unsafe.Pointer(sym))
		loader.gipa = C.sdevk_dlsym(h, sym)
		if loader.gipa == nil {
			loader.err = fmt.Errorf("vulkan: %s has no vkGetInstanceProcAddr: %s", loaderName, MissingVulkanHelp)
			return
		}
		vk.SetGetInstanceProcAddr(loader.gipa)
		if err := vk.Init(); err != nil {
			loader.err = fmt.Errorf("vulkan: initialising the loader: %v", err)
		}
	})
	return loader.err
}

// loaderAPIVersion is the instance-level Vulkan version the loader supports.
func loaderAPIVersion() uint32 { return uint32(C.sdevk_instance_version(loader.gipa)) }

// extInfo holds what Vulkan 1.1+ queries report beyond vulkan-go's 1.0 bindings.
type extInfo struct {
	SubgroupSize     uint32
	SubgroupOps      uint32
	SubgroupStages   uint32
	DeviceUUID       [16]byte
	DriverUUID       [16]byte
	DriverID         uint32
	DriverName       string
	DriverInfo       string
	ShaderFloat16    bool
	StorageBuffer16  bool
	HaveProperties2  bool
	HaveDriverFields bool
}

// queryExt calls vkGetPhysicalDeviceProperties2 / Features2 through the loader.
// wantDriver asks for VkPhysicalDeviceDriverProperties, valid only when the
// device supports Vulkan 1.2 or VK_KHR_driver_properties.
func queryExt(instance vk.Instance, pd vk.PhysicalDevice, wantDriver bool) extInfo {
	var out C.sdevk_ext_info
	w := C.int(0)
	if wantDriver {
		w = 1
	}
	C.sdevk_query(loader.gipa, unsafe.Pointer(instance), unsafe.Pointer(pd), w, &out)
	e := extInfo{
		SubgroupSize:     uint32(out.subgroupSize),
		SubgroupOps:      uint32(out.subgroupOps),
		SubgroupStages:   uint32(out.subgroupStages),
		DriverID:         uint32(out.driverID),
		ShaderFloat16:    out.shaderFloat16 != 0,
		StorageBuffer16:  out.storageBuffer16 != 0,
		HaveProperties2:  out.haveProps2 != 0,
		HaveDriverFields: out.haveDriverProps != 0,
	}
	for i := 0; i < 16; i++ {
		e.DeviceUUID[i] = byte(out.deviceUUID[i])
		e.DriverUUID[i] = byte(out.driverUUID[i])
	}
	e.DriverName = C.GoString(&out.driverName[0])
	e.DriverInfo = C.GoString(&out.driverInfo[0])
	return e
}
