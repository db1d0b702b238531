package vk

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	vk "github.com/vulkan-go/vulkan"
)

// Options configure Open. The zero value selects the best device, reads
// SDEVK_DEVICE, SDEVK_VALIDATE and SDEVK_FORCE_STAGING from the environment and
// persists the pipeline cache in the user's cache directory.
type Options struct {
	// Device is an index or a case-insensitive part of a device name; empty
	// means $SDEVK_DEVICE, then the best device by type.
	Device string
	// Validate enables VK_LAYER_KHRONOS_validation; also set by SDEVK_VALIDATE=1.
	Validate bool
	// ForceStaging routes every upload and download through staging buffers
	// even when device memory is host-visible (as it is on lavapipe), so the
	// path that discrete GPUs take is exercised; also SDEVK_FORCE_STAGING=1.
	ForceStaging bool
	// CacheDir holds the persisted pipeline cache; empty means
	// os.UserCacheDir()/sdevk, "-" disables persistence.
	CacheDir string
	// InstanceExtensions and DeviceExtensions are extra extensions a caller
	// needs (the viewer's surface and swapchain).
	InstanceExtensions []string
	DeviceExtensions   []string
	// Surface, when set, is called with the new instance; the chosen queue
	// family must then be able to present to the returned surface.
	Surface func(instance vk.Instance) (vk.Surface, error)
	// Profile makes every sequence time its dispatches and copies, as
	// NewSequence(true) does (sdevk bench --profile).
	Profile bool
	// Timeout bounds every wait for the device; zero means 10 minutes.
	Timeout time.Duration
	// Tuning overrides the kernel tuning vk/kernels chooses for the device,
	// as "field=value" (see kernels.TuningFor, which also checks them); vk
	// only carries them, so that every kernel library on the device agrees.
	Tuning []string
	// Faults, when set, makes chosen allocations and submits fail (tests);
	// also SDEVK_FAULTS (ParseFaults).
	Faults *Faults
}

func envOn(name string) bool {
	v := os.Getenv(name)
	return v != "" && v != "0" && v != "false"
}

// Device is one opened Vulkan device: a compute queue, the memory
// sub-allocator, compiled kernels and the pipeline cache. Its methods are safe
// for use from one goroutine at a time, except Submit, which serialises itself.
type Device struct {
	Info DeviceInfo

	inst          *instance
	pd            vk.PhysicalDevice
	handle        vk.Device
	queue         vk.Queue
	family        uint32
	cmdPool       vk.CommandPool
	surface       vk.Surface
	timeout       time.Duration
	queueMu       sync.Mutex
	mem           *allocator
	staging       *stagingArea
	cache         *pipelineCache
	kernels       map[string]*Kernel
	layouts       map[layoutKey]*layout
	oneShot       *Sequence
	fns           *deviceFns
	closed        bool
	timestampBits uint32
	profileAll    bool
	tuning        []string
	faults        *faultState
}

// TuningOverrides are Options.Tuning, for vk/kernels.
func (d *Device) TuningOverrides() []string { return d.tuning }

// Open creates a Device according to opts.
func Open(opts Options) (*Device, error) {
	if opts.Device == "" {
		opts.Device = os.Getenv("SDEVK_DEVICE")
	}
	opts.Validate = opts.Validate || ValidationRequested()
	opts.ForceStaging = opts.ForceStaging || envOn("SDEVK_FORCE_STAGING")
	if env := os.Getenv("SDEVK_FAULTS"); env != "" && opts.Faults == nil {
		f, err := ParseFaults(env)
		if err != nil {
			return nil, err
		}
		opts.Faults = f
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Minute
	}
	in, err := newInstance(opts.Validate, opts.InstanceExtensions)
	if err != nil {
		return nil, err
	}
	devices, err := enumerate(in)
	if err != nil {
		in.destroy()
		return nil, err
	}
	idx, err := Choose(devices, opts.Device)
	if err != nil {
		in.destroy()
		return nil, err
	}
	d := &Device{Info: devices[idx], inst: in, pd: devices[idx].handle, timeout: opts.Timeout, profileAll: opts.Profile, tuning: slices.Clone(opts.Tuning),
		kernels: map[string]*Kernel{}, layouts: map[layoutKey]*layout{}}
	d.Info.Selected = true
	if opts.Faults != nil {
		d.faults = &faultState{Faults: *opts.Faults}
	}
	if opts.Surface != nil {
		if d.surface, err = opts.Surface(in.handle); err != nil {
			in.destroy()
			return nil, err
		}
	}
	if err := d.createLogical(opts); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Device) createLogical(opts Options) error {
	fams := queueFamilies(d.inst.handle, d.pd)
	found := false
	for i := range fams {
		if vk.QueueFlags(fams[i].flags)&vk.QueueFlags(vk.QueueComputeBit) == 0 {
			continue
		}
		if d.surface != vk.NullSurface {
			var ok vk.Bool32
			vk.GetPhysicalDeviceSurfaceSupport(d.pd, uint32(i), d.surface, &ok)
			if ok != vk.True {
				continue
			}
		}
		d.family, d.timestampBits, found = uint32(i), fams[i].timestampBits, true
		break
	}
	if !found {
		return fmt.Errorf("vulkan: %s has no compute queue (that can present, when a window is open)", d.Info.Name)
	}
	exts := deviceExtensions(d.inst.handle, d.pd)
	var names []string
	for _, e := range opts.DeviceExtensions {
		if !exts[e] {
			return fmt.Errorf("vulkan: %s lacks the device extension %s", d.Info.Name, e)
		}
		names = append(names, cstr(e))
	}
	if exts["VK_KHR_portability_subset"] {
		names = append(names, cstr("VK_KHR_portability_subset"))
	}
	info := vk.DeviceCreateInfo{
		SType:                vk.StructureTypeDeviceCreateInfo,
		QueueCreateInfoCount: 1,
		PQueueCreateInfos: []vk.DeviceQueueCreateInfo{{
			SType:            vk.StructureTypeDeviceQueueCreateInfo,
			QueueFamilyIndex: d.family,
			QueueCount:       1,
			PQueuePriorities: []float32{1},
		}},
		EnabledExtensionCount:   uint32(len(names)),
		PpEnabledExtensionNames: names,
		PEnabledFeatures:        []vk.PhysicalDeviceFeatures{{ShaderInt64: b32(d.Info.ShaderInt64)}},
	}
	var dev vk.Device
	var r vk.Result
	withoutGC(func() { r = vk.CreateDevice(d.pd, &info, nil, &dev) })
	if r != vk.Success {
		return fmt.Errorf("vulkan: vkCreateDevice on %s: %w", d.Info.Name, resultErr(r))
	}
	d.handle = dev
	fns, err := loadDeviceFns(d.inst.handle, dev)
	if err != nil {
		return err
	}
	d.fns = fns
	var q vk.Queue
	vk.GetDeviceQueue(d.handle, d.family, 0, &q)
	d.queue = q
	pool := vk.CommandPoolCreateInfo{
		SType:            vk.StructureTypeCommandPoolCreateInfo,
		Flags:            vk.CommandPoolCreateFlags(vk.CommandPoolCreateResetCommandBufferBit),
		QueueFamilyIndex: d.family,
	}
	var cmdPool vk.CommandPool
	if r := vk.CreateCommandPool(d.handle, &pool, nil, &cmdPool); r != vk.Success {
		return fmt.Errorf("vulkan: vkCreateCommandPool: %w", resultErr(r))
	}
	d.cmdPool = cmdPool
	if err := d.initMemory(opts.ForceStaging); err != nil {
		return err
	}
	d.cache = openPipelineCache(d, opts.CacheDir)
	return nil
}

func (d *Device) initMemory(forceStaging bool) error {
	local := vk.MemoryPropertyFlags(vk.MemoryPropertyDeviceLocalBit)
	hostVis := vk.MemoryPropertyFlags(vk.MemoryPropertyHostVisibleBit | vk.MemoryPropertyHostCoherentBit)
	usage := vk.BufferUsageFlags(vk.BufferUsageStorageBufferBit | vk.BufferUsageUniformTexelBufferBit | vk.BufferUsageTransferSrcBit | vk.BufferUsageTransferDstBit)
	mask := d.memoryTypeMask(usage)
	memType, ok := chooseMemoryType(d.Info.memTypes, mask, local, hostVis)
	if !ok {
		if memType, ok = chooseMemoryType(d.Info.memTypes, mask, 0, local); !ok {
			return fmt.Errorf("vulkan: %s has no memory type for storage buffers", d.Info.Name)
		}
	}
	flags := d.Info.memTypes[memType].flags
	// Every buffer and view can be bound as a storage or a texel buffer.
	align := max(d.Info.Limits.MinStorageBufferAlign, d.Info.Limits.MinTexelBufferAlign, 256)
	d.mem = &allocator{
		dev: d.handle, memType: memType, align: align, usage: usage, blockSize: defaultBlockBytes,
		mappable: flags&hostVis == hostVis && !forceStaging,
	}
	if lim := d.Info.Limits.MaxStorageBufferRange; lim > 0 && d.mem.blockSize > lim {
		d.mem.blockSize = alignUp(lim/2, align)
	}
	staged, ok := chooseMemoryType(d.Info.memTypes, mask, hostVis, vk.MemoryPropertyFlags(vk.MemoryPropertyHostCachedBit))
	if !ok {
		return fmt.Errorf("vulkan: %s has no host-visible coherent memory for staging", d.Info.Name)
	}
	d.staging = &stagingArea{dev: d, memType: staged}
	return nil
}

// memoryTypeMask asks a throw-away buffer which memory types suit usage.
func (d *Device) memoryTypeMask(usage vk.BufferUsageFlags) uint32 {
	info := vk.BufferCreateInfo{SType: vk.StructureTypeBufferCreateInfo, Size: 256, Usage: usage, SharingMode: vk.SharingModeExclusive}
	var b vk.Buffer
	if vk.CreateBuffer(d.handle, &info, nil, &b) != vk.Success {
		return ^uint32(0)
	}
	defer vk.DestroyBuffer(d.handle, b, nil)
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(d.handle, b, &req)
	req.Deref()
	return req.MemoryTypeBits
}

// Memory returns the sub-allocator's statistics.
func (d *Device) Memory() MemoryStats { return d.mem.stats() }

// HostMapped reports whether buffers are read and written through mapped
// memory rather than staging copies.
func (d *Device) HostMapped() bool { return d.mem.mappable }

// Handles exposes the raw Vulkan objects for packages that draw (the viewer).
func (d *Device) Handles() (vk.Instance, vk.PhysicalDevice, vk.Device, vk.Queue, uint32) {
	return d.inst.handle, d.pd, d.handle, d.queue, d.family
}

// Surface returns the surface made by Options.Surface, if any.
func (d *Device) Surface() vk.Surface { return d.surface }

// SubmitRaw submits command buffers on the device's queue under its lock, for
// callers that record their own (the viewer's presentation).
func (d *Device) SubmitRaw(info []vk.SubmitInfo, fence vk.Fence) error {
	d.queueMu.Lock()
	defer d.queueMu.Unlock()
	r := d.faults.submit()
	if r == vk.Success {
		withoutGC(func() { r = vk.QueueSubmit(d.queue, uint32(len(info)), info, fence) })
	}
	if r != vk.Success {
		return fmt.Errorf("vulkan: vkQueueSubmit: %w", resultErr(r))
	}
	return nil
}

// LockQueue serialises other queue operations (vkQueuePresentKHR) with Submit.
func (d *Device) LockQueue() func() {
	d.queueMu.Lock()
	return d.queueMu.Unlock
}

// WaitIdle waits for all submitted work.
func (d *Device) WaitIdle() {
	d.queueMu.Lock()
	vk.DeviceWaitIdle(d.handle)
	d.queueMu.Unlock()
}

// Close waits for the device, saves the pipeline cache and destroys every
// object it created. Buffers and Sequences must not be used afterwards.
func (d *Device) Close() {
	if d == nil || d.closed {
		return
	}
	d.closed = true
	if d.handle != nil {
		vk.DeviceWaitIdle(d.handle)
		if d.oneShot != nil {
			d.oneShot.Destroy()
		}
		for _, k := range d.kernels {
			vk.DestroyPipeline(d.handle, k.pipeline, nil)
		}
		for _, l := range d.layouts {
			vk.DestroyPipelineLayout(d.handle, l.pipeline, nil)
			vk.DestroyDescriptorSetLayout(d.handle, l.set, nil)
		}
		if d.cache != nil {
			d.cache.saveAndDestroy()
		}
		if d.staging != nil {
			d.staging.destroy()
		}
		if d.mem != nil {
			d.mem.destroy()
		}
		if d.cmdPool != vk.NullCommandPool {
			vk.DestroyCommandPool(d.handle, d.cmdPool, nil)
		}
		vk.DestroyDevice(d.handle, nil)
	}
	if d.surface != vk.NullSurface {
		vk.DestroySurface(d.inst.handle, d.surface, nil)
	}
	d.inst.destroy()
}

func b32(b bool) vk.Bool32 {
	if b {
		return vk.True
	}
	return vk.False
}
