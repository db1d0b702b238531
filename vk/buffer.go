package vk

import (
	"fmt"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// Buffer is a range of device memory that shaders read and write as a storage
// buffer. It is a view into one of the allocator's blocks.
type Buffer struct {
	dev    *Device
	blk    *block
	offset uint64
	size   uint64 // bytes the caller asked for
	alloc  uint64 // bytes reserved (at least 4, so empty tensors still bind)
	view   bool   // a View: its memory belongs to another buffer
}

// NewBuffer reserves bytes of device memory. Contents are undefined.
func (d *Device) NewBuffer(bytes uint64) (*Buffer, error) {
	if lim := d.Info.Limits.MaxStorageBufferRange; lim > 0 && bytes > lim {
		return nil, fmt.Errorf("vulkan: %w: %d bytes exceed %s's maxStorageBufferRange of %d bytes (%d float32 values)", ErrBufferTooLarge, bytes, d.Info.Name, lim, lim/4)
	}
	return d.NewArena(bytes) // the same reservation, bound whole
}

// NewBufferF32 reserves room for n float32 values.
func (d *Device) NewBufferF32(n int) (*Buffer, error) { return d.NewBuffer(uint64(n) * 4) }

// Size is the buffer's length in bytes.
func (b *Buffer) Size() uint64 { return b.size }

// Len is the buffer's length in 32-bit words.
func (b *Buffer) Len() int { return int(b.size / 4) }

// Free returns the buffer's memory to the allocator.
func (b *Buffer) Free() {
	if b == nil || b.blk == nil || b.view {
		return
	}
	b.dev.mem.release(b.blk, b.offset, b.alloc)
	b.blk = nil
}

// SameRange reports whether two buffers (views included) are the same bytes.
func (b *Buffer) SameRange(o *Buffer) bool {
	return b.blk == o.blk && b.offset == o.offset && b.size == o.size
}

// Overlaps reports whether two buffers (views included) share bytes.
func (b *Buffer) Overlaps(o *Buffer) bool { return b.overlaps(o) }

// overlaps reports whether two buffers share bytes of one VkBuffer.
func (b *Buffer) overlaps(o *Buffer) bool {
	return b.blk == o.blk && b.offset < o.offset+o.alloc && o.offset < b.offset+b.alloc
}

// Write copies data into the buffer at byte offset off.
func (b *Buffer) Write(off uint64, data []byte) error {
	if off+uint64(len(data)) > b.size {
		return fmt.Errorf("vulkan: writing %d bytes at %d overflows a %d-byte buffer", len(data), off, b.size)
	}
	if len(data) == 0 {
		return nil
	}
	if b.blk.mapped != nil {
		copy(unsafe.Slice((*byte)(unsafe.Add(b.blk.mapped, b.offset+off)), len(data)), data)
		return nil
	}
	return b.dev.staging.upload(b, off, data)
}

// Read copies len(dst) bytes from byte offset off of the buffer.
func (b *Buffer) Read(off uint64, dst []byte) error {
	if off+uint64(len(dst)) > b.size {
		return fmt.Errorf("vulkan: reading %d bytes at %d overflows a %d-byte buffer", len(dst), off, b.size)
	}
	if len(dst) == 0 {
		return nil
	}
	if b.blk.mapped != nil {
		copy(dst, unsafe.Slice((*byte)(unsafe.Add(b.blk.mapped, b.offset+off)), len(dst)))
		return nil
	}
	return b.dev.staging.download(b, off, dst)
}

func f32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4)
}

func u32Bytes(v []uint32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4)
}

// Upload writes float32 values at the start of the buffer.
func (b *Buffer) Upload(v []float32) error { return b.Write(0, f32Bytes(v)) }

// Download reads len(dst) float32 values from the start of the buffer.
func (b *Buffer) Download(dst []float32) error { return b.Read(0, f32Bytes(dst)) }

// UploadU32 writes uint32 values at the start of the buffer.
func (b *Buffer) UploadU32(v []uint32) error { return b.Write(0, u32Bytes(v)) }

// DownloadU32 reads len(dst) uint32 values from the start of the buffer.
func (b *Buffer) DownloadU32(dst []uint32) error { return b.Read(0, u32Bytes(dst)) }

// stagingArea is a host-visible buffer for copies to and from device memory
// that the host cannot map. It grows to the largest transfer seen.
type stagingArea struct {
	dev     *Device
	memType uint32
	buffer  vk.Buffer
	memory  vk.DeviceMemory
	mapped  unsafe.Pointer
	size    uint64
}

func (s *stagingArea) ensure(size uint64) error {
	if size <= s.size {
		return nil
	}
	s.destroy()
	size = alignUp(size, 1<<20)
	d := s.dev.handle
	info := vk.BufferCreateInfo{SType: vk.StructureTypeBufferCreateInfo, Size: vk.DeviceSize(size),
		Usage: vk.BufferUsageFlags(vk.BufferUsageTransferSrcBit | vk.BufferUsageTransferDstBit), SharingMode: vk.SharingModeExclusive}
	var buf vk.Buffer
	if r := vk.CreateBuffer(d, &info, nil, &buf); r != vk.Success {
		return fmt.Errorf("vulkan: creating a %d-byte staging buffer: %w", size, resultErr(r))
	}
	s.buffer = buf
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(d, s.buffer, &req)
	req.Deref()
	alloc := vk.MemoryAllocateInfo{SType: vk.StructureTypeMemoryAllocateInfo, AllocationSize: req.Size, MemoryTypeIndex: s.memType}
	var mem vk.DeviceMemory
	if r := vk.AllocateMemory(d, &alloc, nil, &mem); r != vk.Success {
		vk.DestroyBuffer(d, s.buffer, nil)
		s.buffer = vk.NullBuffer
		return fmt.Errorf("vulkan: allocating %d bytes of staging memory: %w", size, resultErr(r))
	}
	s.memory = mem
	vk.BindBufferMemory(d, s.buffer, s.memory, 0)
	var mapped unsafe.Pointer
	if r := vk.MapMemory(d, s.memory, 0, vk.DeviceSize(vk.WholeSize), 0, &mapped); r != vk.Success {
		// Nothing is mapped, so destroy must not unmap: free both here.
		vk.DestroyBuffer(d, s.buffer, nil)
		vk.FreeMemory(d, s.memory, nil)
		s.buffer = vk.NullBuffer
		return fmt.Errorf("vulkan: mapping staging memory: %w", resultErr(r))
	}
	s.mapped = mapped
	s.size = size
	return nil
}

func (s *stagingArea) copy(src, dst vk.Buffer, srcOff, dstOff, n uint64) error {
	seq := s.dev.oneShotSequence()
	if err := seq.Begin(); err != nil {
		return err
	}
	seq.copyRaw(src, dst, srcOff, dstOff, n)
	if err := seq.End(); err != nil {
		return err
	}
	return seq.Submit()
}

func (s *stagingArea) upload(b *Buffer, off uint64, data []byte) error {
	if err := s.ensure(uint64(len(data))); err != nil {
		return err
	}
	copy(unsafe.Slice((*byte)(s.mapped), len(data)), data)
	return s.copy(s.buffer, b.blk.buffer, 0, b.offset+off, uint64(len(data)))
}

func (s *stagingArea) download(b *Buffer, off uint64, dst []byte) error {
	if err := s.ensure(uint64(len(dst))); err != nil {
		return err
	}
	if err := s.copy(b.blk.buffer, s.buffer, b.offset+off, 0, uint64(len(dst))); err != nil {
		return err
	}
	copy(dst, unsafe.Slice((*byte)(s.mapped), len(dst)))
	return nil
}

func (s *stagingArea) destroy() {
	if s.buffer == vk.NullBuffer {
		return
	}
	vk.UnmapMemory(s.dev.handle, s.memory)
	vk.DestroyBuffer(s.dev.handle, s.buffer, nil)
	vk.FreeMemory(s.dev.handle, s.memory, nil)
	s.buffer, s.size = vk.NullBuffer, 0
}
