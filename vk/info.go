package vk

import (
	"errors"
	"fmt"
	"strings"

	vk "github.com/vulkan-go/vulkan"
)

// Limits are the device limits that shape kernels and allocations.
type Limits struct {
	MaxSharedMemoryBytes     uint32    `json:"max_shared_memory_bytes"`
	MaxWorkgroupInvocations  uint32    `json:"max_workgroup_invocations"`
	MaxWorkgroupSize         [3]uint32 `json:"max_workgroup_size"`
	MaxWorkgroupCount        [3]uint32 `json:"max_workgroup_count"`
	MaxStorageBufferRange    uint64    `json:"max_storage_buffer_range"`
	MaxPushConstantsBytes    uint32    `json:"max_push_constants_bytes"`
	MaxBoundDescriptorSets   uint32    `json:"max_bound_descriptor_sets"`
	MaxStorageBuffersPerSet  uint32    `json:"max_storage_buffers_per_stage"`
	MinStorageBufferAlign    uint64    `json:"min_storage_buffer_offset_alignment"`
	MaxTexelBufferElements   uint32    `json:"max_texel_buffer_elements"`
	MinTexelBufferAlign      uint64    `json:"min_texel_buffer_offset_alignment"`
	NonCoherentAtomSize      uint64    `json:"non_coherent_atom_size"`
	TimestampPeriodNs        float32   `json:"timestamp_period_ns"`
	TimestampComputeAndGraph bool      `json:"timestamp_compute_and_graphics"`
}

// MemoryHeap is one VkMemoryHeap.
type MemoryHeap struct {
	Bytes       uint64 `json:"bytes"`
	DeviceLocal bool   `json:"device_local"`
}

// MemoryType is one VkMemoryType with its property flags spelled out.
type MemoryType struct {
	Heap  uint32   `json:"heap"`
	Flags []string `json:"flags"`
	flags vk.MemoryPropertyFlags
}

// DeviceInfo describes one physical device as `sdevk info` prints it.
type DeviceInfo struct {
	Index         int    `json:"index"`
	Name          string `json:"name"`
	Type          string `json:"type"`
	Vendor        string `json:"vendor"`
	VendorID      uint32 `json:"vendor_id"`
	DeviceID      uint32 `json:"device_id"`
	Driver        string `json:"driver"`
	DriverInfo    string `json:"driver_info,omitempty"`
	DriverVersion uint32 `json:"driver_version"`
	APIVersion    string `json:"api_version"`
	SubgroupSize  uint32 `json:"subgroup_size"`
	// SubgroupShuffle: the compute stage supports subgroupShuffle
	// (VK_SUBGROUP_FEATURE_SHUFFLE_BIT).
	SubgroupShuffle bool `json:"subgroup_shuffle"`
	// SubgroupArithmetic: the compute stage supports subgroupAdd and the
	// other reductions (VK_SUBGROUP_FEATURE_ARITHMETIC_BIT).
	SubgroupArithmetic bool `json:"subgroup_arithmetic"`
	FP16               bool `json:"shader_float16"`
	Storage16          bool `json:"storage_buffer_16bit"`
	// ShaderInt64: shaders may use 64-bit integers (enabled when present).
	ShaderInt64 bool `json:"shader_int64"`
	// TexelsVec4: shaders can read RGBA32F uniform texel buffers (the
	// TexelsVec4 binding kind).
	TexelsVec4  bool         `json:"uniform_texel_buffer_rgba32f"`
	UMA         bool         `json:"unified_memory"`
	Limits      Limits       `json:"limits"`
	Heaps       []MemoryHeap `json:"memory_heaps"`
	MemoryTypes []MemoryType `json:"memory_types"`
	Selected    bool         `json:"selected"`

	deviceType    vk.PhysicalDeviceType
	apiVersion    uint32
	pipelineCache [16]byte
	handle        vk.PhysicalDevice
	memTypes      []MemoryType
}

// IsCPU reports whether the device is a CPU implementation (lavapipe,
// SwiftShader). Kernels choose their CPU-type variants from it.
func (d *DeviceInfo) IsCPU() bool { return d.deviceType == vk.PhysicalDeviceTypeCpu }

// LocalHeapBytes is the size of the device's largest device-local memory
// heap (0: none reported): what batch sizing and memory checks budget
// against.
func (d *DeviceInfo) LocalHeapBytes() uint64 {
	var heap uint64
	for _, h := range d.Heaps {
		if h.DeviceLocal {
			heap = max(heap, h.Bytes)
		}
	}
	return heap
}

func deviceTypeName(t vk.PhysicalDeviceType) string {
	switch t {
	case vk.PhysicalDeviceTypeDiscreteGpu:
		return "discrete-gpu"
	case vk.PhysicalDeviceTypeIntegratedGpu:
		return "integrated-gpu"
	case vk.PhysicalDeviceTypeVirtualGpu:
		return "virtual-gpu"
	case vk.PhysicalDeviceTypeCpu:
		return "cpu"
	}
	return "other"
}

// typeRank orders device types for the default choice: discrete > integrated
// > virtual > CPU > other.
func typeRank(t vk.PhysicalDeviceType) int {
	switch t {
	case vk.PhysicalDeviceTypeDiscreteGpu:
		return 4
	case vk.PhysicalDeviceTypeIntegratedGpu:
		return 3
	case vk.PhysicalDeviceTypeVirtualGpu:
		return 2
	case vk.PhysicalDeviceTypeCpu:
		return 1
	}
	return 0
}

func vendorName(id uint32) string {
	switch id {
	case 0x1002:
		return "AMD"
	case 0x10DE:
		return "NVIDIA"
	case 0x8086:
		return "Intel"
	case 0x13B5:
		return "ARM"
	case 0x5143:
		return "Qualcomm"
	case 0x106B:
		return "Apple"
	case 0x10005:
		return "Mesa"
	}
	return fmt.Sprintf("0x%04x", id)
}

func versionString(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v>>22, (v>>12)&0x3ff, v&0xfff)
}

func memoryFlagNames(f vk.MemoryPropertyFlags) []string {
	names := []string{}
	for _, b := range []struct {
		bit  vk.MemoryPropertyFlagBits
		name string
	}{
		{vk.MemoryPropertyDeviceLocalBit, "device-local"},
		{vk.MemoryPropertyHostVisibleBit, "host-visible"},
		{vk.MemoryPropertyHostCoherentBit, "host-coherent"},
		{vk.MemoryPropertyHostCachedBit, "host-cached"},
		{vk.MemoryPropertyLazilyAllocatedBit, "lazily-allocated"},
	} {
		if f&vk.MemoryPropertyFlags(b.bit) != 0 {
			names = append(names, b.name)
		}
	}
	return names
}

// describe reads everything sdevk needs to know about one physical device.
func describe(in *instance, index int, pd vk.PhysicalDevice) DeviceInfo {
	var props vk.PhysicalDeviceProperties
	vk.GetPhysicalDeviceProperties(pd, &props)
	props.Deref()
	props.Limits.Deref()
	l := props.Limits
	exts := deviceExtensions(in.handle, pd)
	api := props.ApiVersion
	canProps2 := in.api >= vk.MakeVersion(1, 1, 0) && api >= vk.MakeVersion(1, 1, 0)
	var ext extInfo
	if canProps2 {
		ext = queryExt(in.handle, pd, api >= vk.MakeVersion(1, 2, 0) || exts["VK_KHR_driver_properties"])
	}
	d := DeviceInfo{
		Index:              index,
		Name:               vk.ToString(props.DeviceName[:]),
		Type:               deviceTypeName(props.DeviceType),
		Vendor:             vendorName(props.VendorID),
		VendorID:           props.VendorID,
		DeviceID:           props.DeviceID,
		Driver:             ext.DriverName,
		DriverInfo:         ext.DriverInfo,
		DriverVersion:      props.DriverVersion,
		APIVersion:         versionString(api),
		SubgroupSize:       ext.SubgroupSize,
		SubgroupShuffle:    ext.SubgroupOps&uint32(vk.SubgroupFeatureShuffleBit) != 0 && ext.SubgroupStages&uint32(vk.ShaderStageComputeBit) != 0,
		SubgroupArithmetic: ext.SubgroupOps&uint32(vk.SubgroupFeatureArithmeticBit) != 0 && ext.SubgroupStages&uint32(vk.ShaderStageComputeBit) != 0,
		FP16:               ext.ShaderFloat16,
		Storage16:          ext.StorageBuffer16,
		Limits: Limits{
			MaxSharedMemoryBytes:     l.MaxComputeSharedMemorySize,
			MaxWorkgroupInvocations:  l.MaxComputeWorkGroupInvocations,
			MaxWorkgroupSize:         l.MaxComputeWorkGroupSize,
			MaxWorkgroupCount:        l.MaxComputeWorkGroupCount,
			MaxStorageBufferRange:    uint64(l.MaxStorageBufferRange),
			MaxPushConstantsBytes:    l.MaxPushConstantsSize,
			MaxBoundDescriptorSets:   l.MaxBoundDescriptorSets,
			MaxStorageBuffersPerSet:  l.MaxPerStageDescriptorStorageBuffers,
			MinStorageBufferAlign:    uint64(l.MinStorageBufferOffsetAlignment),
			MaxTexelBufferElements:   l.MaxTexelBufferElements,
			MinTexelBufferAlign:      uint64(l.MinTexelBufferOffsetAlignment),
			NonCoherentAtomSize:      uint64(l.NonCoherentAtomSize),
			TimestampPeriodNs:        l.TimestampPeriod,
			TimestampComputeAndGraph: l.TimestampComputeAndGraphics == vk.True,
		},
		deviceType:    props.DeviceType,
		apiVersion:    api,
		pipelineCache: props.PipelineCacheUUID,
		handle:        pd,
	}
	if d.Driver == "" {
		d.Driver = "unknown"
	}
	var feat vk.PhysicalDeviceFeatures
	vk.GetPhysicalDeviceFeatures(pd, &feat)
	feat.Deref()
	d.ShaderInt64 = feat.ShaderInt64 == vk.True
	var fp vk.FormatProperties
	vk.GetPhysicalDeviceFormatProperties(pd, texelFormat, &fp)
	fp.Deref()
	d.TexelsVec4 = fp.BufferFeatures&vk.FormatFeatureFlags(vk.FormatFeatureUniformTexelBufferBit) != 0
	if d.SubgroupSize == 0 {
		d.SubgroupSize = 1 // unknown: kernels must not rely on subgroups
	}
	var mp vk.PhysicalDeviceMemoryProperties
	vk.GetPhysicalDeviceMemoryProperties(pd, &mp)
	mp.Deref()
	for i := uint32(0); i < mp.MemoryHeapCount; i++ {
		h := mp.MemoryHeaps[i]
		h.Deref()
		d.Heaps = append(d.Heaps, MemoryHeap{Bytes: uint64(h.Size), DeviceLocal: h.Flags&vk.MemoryHeapFlags(vk.MemoryHeapDeviceLocalBit) != 0})
	}
	d.UMA = true
	for i := uint32(0); i < mp.MemoryTypeCount; i++ {
		t := mp.MemoryTypes[i]
		t.Deref()
		mt := MemoryType{Heap: t.HeapIndex, Flags: memoryFlagNames(t.PropertyFlags), flags: t.PropertyFlags}
		d.MemoryTypes = append(d.MemoryTypes, mt)
		local := t.PropertyFlags&vk.MemoryPropertyFlags(vk.MemoryPropertyDeviceLocalBit) != 0
		visible := t.PropertyFlags&vk.MemoryPropertyFlags(vk.MemoryPropertyHostVisibleBit) != 0
		if local && !visible {
			d.UMA = false
		}
	}
	d.memTypes = d.MemoryTypes
	return d
}

// Summary is a one-line description of the device.
func (d *DeviceInfo) Summary() string {
	return fmt.Sprintf("[%d] %s (%s, %s, driver %s, Vulkan %s)", d.Index, d.Name, d.Type, d.Vendor, d.Driver, d.APIVersion)
}

// ErrNoSuchDevice is wrapped by the errors of a device selection that
// matches no device.
var ErrNoSuchDevice = errors.New("vulkan: no device matches")

// Enumerate lists the Vulkan devices of this machine.
func Enumerate() ([]DeviceInfo, error) {
	in, err := newInstance(false, nil)
	if err != nil {
		return nil, err
	}
	defer in.destroy()
	return enumerate(in)
}

func enumerate(in *instance) ([]DeviceInfo, error) {
	var n uint32
	if r := vk.EnumeratePhysicalDevices(in.handle, &n, nil); r != vk.Success {
		return nil, fmt.Errorf("vulkan: vkEnumeratePhysicalDevices: %w", resultErr(r))
	}
	pds := make([]vk.PhysicalDevice, n)
	vk.EnumeratePhysicalDevices(in.handle, &n, pds)
	var out []DeviceInfo
	for i, pd := range pds[:n] {
		out = append(out, describe(in, i, pd))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("vulkan: the loader found no Vulkan device: %s", MissingVulkanHelp)
	}
	return out, nil
}

// Choose picks a device: by index or case-insensitive name substring when
// want is set, else the best type (discrete > integrated > virtual > CPU).
func Choose(devices []DeviceInfo, want string) (int, error) {
	want = strings.TrimSpace(want)
	if want == "" {
		best := 0
		for i := range devices {
			if typeRank(devices[i].deviceType) > typeRank(devices[best].deviceType) {
				best = i
			}
		}
		return best, nil
	}
	var idx int
	if _, err := fmt.Sscanf(want, "%d", &idx); err == nil && fmt.Sprint(idx) == want {
		if idx >= 0 && idx < len(devices) {
			return idx, nil
		}
	} else {
		for i := range devices {
			if strings.Contains(strings.ToLower(devices[i].Name), strings.ToLower(want)) {
				return i, nil
			}
		}
	}
	var list []string
	for i := range devices {
		list = append(list, devices[i].Summary())
	}
	return 0, fmt.Errorf("%w %q; found: %s", ErrNoSuchDevice, want, strings.Join(list, "; "))
}
