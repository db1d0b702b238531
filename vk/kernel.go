package vk

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// KernelSpec describes one compute pipeline. Shaders declare their workgroup
// size with local_size_{x,y,z}_id = 0, 1, 2, so Local fills specialization
// constants 0-2; Consts fill ids 3, 4, ... in order (tile sizes and the like).
// Bindings 0..Bindings-1 of descriptor set 0 are storage buffers unless
// Kinds says otherwise.
//
// Bindings, Kinds, Writes and PushBytes are the shader's interface: left
// zero, they are read from the SPIR-V (ReadInterface); given, they must
// match it, or Kernel fails naming the shader and the binding.
type KernelSpec struct {
	Name      string        // for errors, caches and timings
	SPIRV     []byte        // the module
	Bindings  int           // number of bindings
	Kinds     []BindingKind // kind of binding i (Storage where missing)
	Writes    []int         // bindings the kernel writes; the rest are read-only
	PushBytes uint32        // size of the push-constant block
	Local     [3]uint32     // workgroup size; zero entries mean 1
	Consts    []uint32      // specialization constants 3, 4, ...
}

// maxSpecConsts bounds a kernel's specialization constants (the shim that
// makes pipelines keeps their map on the C stack).
const maxSpecConsts = 256

// Kernel is a compiled compute pipeline.
type Kernel struct {
	Spec     KernelSpec
	dev      *Device
	layout   *layout
	pipeline vk.Pipeline
	writes   uint64 // bitmask of written bindings
}

type layoutKey struct {
	kinds string // one byte per binding
	push  uint32
}

// layout is a descriptor-set layout and pipeline layout shared by every kernel
// with the same binding kinds and push-constant size.
type layout struct {
	set      vk.DescriptorSetLayout
	pipeline vk.PipelineLayout
}

func (d *Device) layoutFor(spec *KernelSpec) (*layout, error) {
	bindings, push := spec.Bindings, spec.PushBytes
	kinds := make([]byte, bindings)
	for i := range kinds {
		kinds[i] = byte(spec.kindOf(i))
	}
	key := layoutKey{string(kinds), push}
	if l, ok := d.layouts[key]; ok {
		return l, nil
	}
	binds := make([]vk.DescriptorSetLayoutBinding, bindings)
	for i := range binds {
		binds[i] = vk.DescriptorSetLayoutBinding{
			Binding: uint32(i), DescriptorType: spec.kindOf(i).descriptorType(),
			DescriptorCount: 1, StageFlags: vk.ShaderStageFlags(vk.ShaderStageComputeBit),
		}
	}
	l := &layout{}
	info := vk.DescriptorSetLayoutCreateInfo{SType: vk.StructureTypeDescriptorSetLayoutCreateInfo, BindingCount: uint32(bindings), PBindings: binds}
	var set vk.DescriptorSetLayout
	var r vk.Result
	withoutGC(func() { r = vk.CreateDescriptorSetLayout(d.handle, &info, nil, &set) })
	if r != vk.Success {
		return nil, fmt.Errorf("vulkan: vkCreateDescriptorSetLayout: %w", resultErr(r))
	}
	l.set = set
	pl := vk.PipelineLayoutCreateInfo{SType: vk.StructureTypePipelineLayoutCreateInfo, SetLayoutCount: 1, PSetLayouts: []vk.DescriptorSetLayout{l.set}}
	if push > 0 {
		pl.PushConstantRangeCount = 1
		pl.PPushConstantRanges = []vk.PushConstantRange{{StageFlags: vk.ShaderStageFlags(vk.ShaderStageComputeBit), Size: push}}
	}
	var pipe vk.PipelineLayout
	withoutGC(func() { r = vk.CreatePipelineLayout(d.handle, &pl, nil, &pipe) })
	if r != vk.Success {
		vk.DestroyDescriptorSetLayout(d.handle, l.set, nil)
		return nil, fmt.Errorf("vulkan: vkCreatePipelineLayout: %w", resultErr(r))
	}
	l.pipeline = pipe
	d.layouts[key] = l
	return l, nil
}

func (s *KernelSpec) key() string {
	return fmt.Sprintf("%s/%d/%v/%v/%d/%v/%v", s.Name, s.Bindings, s.Kinds, s.Writes, s.PushBytes, s.Local, s.Consts)
}

// Kernel compiles (or returns the already compiled) pipeline for spec,
// checking it against the device's limits.
func (d *Device) Kernel(spec KernelSpec) (*Kernel, error) {
	for i := range spec.Local {
		if spec.Local[i] == 0 {
			spec.Local[i] = 1
		}
	}
	key := spec.key()
	if k, ok := d.kernels[key]; ok {
		return k, nil
	}
	if err := spec.resolveInterface(); err != nil {
		return nil, err
	}
	lim := d.Info.Limits
	inv := spec.Local[0] * spec.Local[1] * spec.Local[2]
	if inv > lim.MaxWorkgroupInvocations || spec.Local[0] > lim.MaxWorkgroupSize[0] || spec.Local[1] > lim.MaxWorkgroupSize[1] || spec.Local[2] > lim.MaxWorkgroupSize[2] {
		return nil, fmt.Errorf("vulkan: kernel %s: workgroup %v exceeds %s's limits (%d invocations, size %v)", spec.Name, spec.Local, d.Info.Name, lim.MaxWorkgroupInvocations, lim.MaxWorkgroupSize)
	}
	if spec.PushBytes > lim.MaxPushConstantsBytes {
		return nil, fmt.Errorf("vulkan: kernel %s: %d bytes of push constants exceed the limit of %d", spec.Name, spec.PushBytes, lim.MaxPushConstantsBytes)
	}
	if err := d.checkKinds(&spec); err != nil {
		return nil, err
	}
	if n := 3 + len(spec.Consts); n > maxSpecConsts {
		return nil, fmt.Errorf("vulkan: kernel %s: %d specialization constants, at most %d", spec.Name, n, maxSpecConsts)
	}
	if len(spec.SPIRV) == 0 || len(spec.SPIRV)%4 != 0 {
		return nil, fmt.Errorf("vulkan: kernel %s: SPIR-V of %d bytes is not a module", spec.Name, len(spec.SPIRV))
	}
	l, err := d.layoutFor(&spec)
	if err != nil {
		return nil, err
	}
	// The binding wants []uint32; copy so that embedded bytes need no alignment.
	code := make([]uint32, len(spec.SPIRV)/4)
	for i := range code {
		code[i] = binary.LittleEndian.Uint32(spec.SPIRV[4*i:])
	}
	var module vk.ShaderModule
	mi := vk.ShaderModuleCreateInfo{SType: vk.StructureTypeShaderModuleCreateInfo, CodeSize: uint(len(spec.SPIRV)), PCode: code}
	r := vk.CreateShaderModule(d.handle, &mi, nil, &module)
	// The C copy of mi points into code, which nothing else keeps alive.
	runtime.KeepAlive(code)
	if r != vk.Success {
		return nil, fmt.Errorf("vulkan: kernel %s: vkCreateShaderModule: %w", spec.Name, resultErr(r))
	}
	defer vk.DestroyShaderModule(d.handle, module, nil)

	values := append(spec.Local[:], spec.Consts...)
	k := &Kernel{Spec: spec, dev: d, layout: l}
	for _, w := range spec.Writes {
		if w < 0 || w >= spec.Bindings {
			return nil, fmt.Errorf("vulkan: kernel %s writes binding %d of %d", spec.Name, w, spec.Bindings)
		}
		k.writes |= 1 << uint(w)
	}
	start := time.Now()
	var pipeline vk.Pipeline
	pipeline, r = d.fns.createPipeline(d.handle, d.cache.handle(), module, l.pipeline, values)
	if r != vk.Success {
		return nil, fmt.Errorf("vulkan: kernel %s: vkCreateComputePipelines: %w", spec.Name, resultErr(r))
	}
	d.cache.noteBuild(time.Since(start))
	k.pipeline = pipeline
	d.kernels[key] = k
	return k, nil
}

// Groups returns the workgroup grid that covers n invocations along x with
// this kernel's workgroup width. When the count exceeds the device's
// per-dimension limit the grid spills into y; shaders then index with
// gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * local_x
// and return past n.
func (k *Kernel) Groups(n int) [3]uint32 {
	return k.dev.Grid(uint64(n), k.Spec.Local[0])
}

// Grid splits ceil(n / local) workgroups into a 2-D grid within the limits.
func (d *Device) Grid(n uint64, local uint32) [3]uint32 {
	groups := (n + uint64(local) - 1) / uint64(local)
	if groups == 0 {
		return [3]uint32{0, 1, 1}
	}
	maxX := uint64(d.Info.Limits.MaxWorkgroupCount[0])
	if groups <= maxX {
		return [3]uint32{uint32(groups), 1, 1}
	}
	y := (groups + maxX - 1) / maxX
	x := (groups + y - 1) / y
	return [3]uint32{uint32(x), uint32(y), 1}
}

// Push packs push-constant values (uint32, int32, float32, int or float64,
// the last two narrowed to 32 bits) in std430 scalar order.
func Push(values ...any) []byte {
	out := make([]byte, 0, 4*len(values))
	for _, v := range values {
		var w uint32
		switch x := v.(type) {
		case uint32:
			w = x
		case int32:
			w = uint32(x)
		case int:
			w = uint32(int32(x))
		case float32:
			w = *(*uint32)(unsafe.Pointer(&x))
		case float64:
			f := float32(x)
			w = *(*uint32)(unsafe.Pointer(&f))
		default:
			panic(fmt.Sprintf("vk.Push: unsupported %T", v))
		}
		out = binary.LittleEndian.AppendUint32(out, w)
	}
	return out
}

func (s KernelSpec) String() string { return strings.TrimSpace(s.Name) }
