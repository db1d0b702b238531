package vk

import (
	"fmt"

	vk "github.com/vulkan-go/vulkan"
)

// BindingKind is how a kernel's binding reaches its buffer.
type BindingKind uint8

const (
	// Storage is a storage buffer (a std430 block): any type, read or written.
	Storage BindingKind = iota
	// TexelsVec4 is a read-only uniform texel buffer of RGBA32F texels (a
	// samplerBuffer read with texelFetch) over the buffer's whole vec4s; a
	// trailing partial vec4 is not part of it. lavapipe loads storage
	// buffers one lane and one component at a time, each with a bounds
	// check, but fetches texels as whole vectors: streaming kernels for
	// CPU-type devices read their inputs this way.
	TexelsVec4
)

// descriptorType is the Vulkan descriptor type of a binding kind.
func (k BindingKind) descriptorType() vk.DescriptorType {
	if k == TexelsVec4 {
		return vk.DescriptorTypeUniformTexelBuffer
	}
	return vk.DescriptorTypeStorageBuffer
}

// texelFormat is the view format of TexelsVec4 bindings.
const texelFormat = vk.FormatR32g32b32a32Sfloat

// texelBytes is the size of one TexelsVec4 texel.
const texelBytes = 16

// kindOf is the kind of binding i of a spec (Storage unless Kinds says).
func (s *KernelSpec) kindOf(i int) BindingKind {
	if i < len(s.Kinds) {
		return s.Kinds[i]
	}
	return Storage
}

// checkKinds checks a spec's binding kinds against the device.
func (d *Device) checkKinds(spec *KernelSpec) error {
	if len(spec.Kinds) > spec.Bindings {
		return fmt.Errorf("vulkan: kernel %s: %d binding kinds for %d bindings", spec.Name, len(spec.Kinds), spec.Bindings)
	}
	storage := 0
	for i := 0; i < spec.Bindings; i++ {
		switch spec.kindOf(i) {
		case Storage:
			storage++
		case TexelsVec4:
			if !d.Info.TexelsVec4 {
				return fmt.Errorf("vulkan: kernel %s: %s cannot read RGBA32F uniform texel buffers", spec.Name, d.Info.Name)
			}
			for _, w := range spec.Writes {
				if w == i {
					return fmt.Errorf("vulkan: kernel %s writes binding %d, a read-only texel buffer", spec.Name, i)
				}
			}
		default:
			return fmt.Errorf("vulkan: kernel %s: binding %d has unknown kind %d", spec.Name, i, spec.kindOf(i))
		}
	}
	if uint32(storage) > d.Info.Limits.MaxStorageBuffersPerSet {
		return fmt.Errorf("vulkan: kernel %s: %d storage buffers exceed the limit of %d", spec.Name, storage, d.Info.Limits.MaxStorageBuffersPerSet)
	}
	return nil
}

// TexelsFit reports whether b can be bound as TexelsVec4: it holds at least
// one whole vec4 and no more than maxTexelBufferElements of them.
func (d *Device) TexelsFit(b *Buffer) bool {
	texels := b.size / texelBytes
	return d.Info.TexelsVec4 && texels > 0 && texels <= uint64(d.Info.Limits.MaxTexelBufferElements)
}

type texelKey struct{ off, size uint64 }

// texelView returns the RGBA32F buffer view over b's whole vec4s. Views
// belong to the memory block (made once per range, destroyed with it), so
// replaying a sequence creates none.
func (d *Device) texelView(kernel string, binding int, b *Buffer) (vk.BufferView, error) {
	if !d.TexelsFit(b) {
		return nil, fmt.Errorf("vulkan: kernel %s: binding %d, a %d-byte buffer, does not fit a texel buffer (1 to %d vec4s)", kernel, binding, b.size, d.Info.Limits.MaxTexelBufferElements)
	}
	key := texelKey{b.offset, b.size / texelBytes * texelBytes}
	if v, ok := b.blk.views[key]; ok {
		return v, nil
	}
	info := vk.BufferViewCreateInfo{
		SType: vk.StructureTypeBufferViewCreateInfo, Buffer: b.blk.buffer, Format: texelFormat,
		Offset: vk.DeviceSize(key.off), Range: vk.DeviceSize(key.size),
	}
	var view vk.BufferView
	var r vk.Result
	withoutGC(func() { r = vk.CreateBufferView(d.handle, &info, nil, &view) })
	if r != vk.Success {
		return nil, fmt.Errorf("vulkan: kernel %s: vkCreateBufferView for binding %d: %w", kernel, binding, resultErr(r))
	}
	if b.blk.views == nil {
		b.blk.views = map[texelKey]vk.BufferView{}
	}
	b.blk.views[key] = view
	return view, nil
}
