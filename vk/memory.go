package vk

import (
	"fmt"
	"sort"
	"unsafe"

	vk "github.com/vulkan-go/vulkan"
)

// defaultBlockBytes is the size of the VkDeviceMemory blocks that buffers are
// carved from. Larger requests get a block of their own.
const defaultBlockBytes = 64 << 20

// block is one VkDeviceMemory with one VkBuffer spanning it. Every Buffer is a
// range of a block, so a graph with hundreds of tensors needs a handful of
// Vulkan allocations, and descriptor bindings use (buffer, offset, range).
type block struct {
	memory    vk.DeviceMemory
	buffer    vk.Buffer
	size      uint64
	mapped    unsafe.Pointer // nil when the host cannot (or must not) map it
	free      []span         // sorted, coalesced free ranges
	used      uint64
	dedicated bool
	id        int
	views     map[texelKey]vk.BufferView // texel views of ranges of buffer
}

type span struct{ off, size uint64 }

// allocator sub-allocates storage buffers for one device.
type allocator struct {
	dev       vk.Device
	memType   uint32
	mappable  bool
	align     uint64
	usage     vk.BufferUsageFlags
	blockSize uint64
	blocks    []*block
	nextID    int
	peak      uint64
	inUse     uint64
	closed    bool // destroyed with its device: a late Buffer.Free frees nothing twice
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

// chooseMemoryType picks the first type in the mask that has all required
// flags, preferring types that also have the preferred flags.
func chooseMemoryType(types []MemoryType, mask uint32, required, preferred vk.MemoryPropertyFlags) (uint32, bool) {
	best, found := uint32(0), false
	for i, t := range types {
		if mask&(1<<uint(i)) == 0 || t.flags&required != required {
			continue
		}
		if !found || (t.flags&preferred == preferred && types[best].flags&preferred != preferred) {
			best, found = uint32(i), true
		}
	}
	return best, found
}

func (a *allocator) newBlock(size uint64, dedicated bool) (*block, error) {
	b := &block{size: size, dedicated: dedicated, id: a.nextID}
	a.nextID++
	info := vk.BufferCreateInfo{
		SType:       vk.StructureTypeBufferCreateInfo,
		Size:        vk.DeviceSize(size),
		Usage:       a.usage,
		SharingMode: vk.SharingModeExclusive,
	}
	var buf vk.Buffer
	if r := vk.CreateBuffer(a.dev, &info, nil, &buf); r != vk.Success {
		return nil, fmt.Errorf("vulkan: vkCreateBuffer(%d bytes): %w", size, resultErr(r))
	}
	b.buffer = buf
	var req vk.MemoryRequirements
	vk.GetBufferMemoryRequirements(a.dev, b.buffer, &req)
	req.Deref()
	alloc := vk.MemoryAllocateInfo{
		SType:           vk.StructureTypeMemoryAllocateInfo,
		AllocationSize:  req.Size,
		MemoryTypeIndex: a.memType,
	}
	var mem vk.DeviceMemory
	if r := vk.AllocateMemory(a.dev, &alloc, nil, &mem); r != vk.Success {
		vk.DestroyBuffer(a.dev, b.buffer, nil)
		return nil, fmt.Errorf("vulkan: vkAllocateMemory(%d MiB block): %w", size>>20, resultErr(r))
	}
	b.memory = mem
	vk.BindBufferMemory(a.dev, b.buffer, b.memory, 0)
	if a.mappable {
		var p unsafe.Pointer
		if r := vk.MapMemory(a.dev, b.memory, 0, vk.DeviceSize(vk.WholeSize), 0, &p); r != vk.Success {
			b.destroy(a.dev)
			return nil, fmt.Errorf("vulkan: vkMapMemory: %w", resultErr(r))
		}
		b.mapped = p
	}
	b.free = []span{{0, size}}
	a.blocks = append(a.blocks, b)
	return b, nil
}

func (b *block) destroy(dev vk.Device) {
	for _, v := range b.views {
		vk.DestroyBufferView(dev, v, nil)
	}
	if b.mapped != nil {
		vk.UnmapMemory(dev, b.memory)
	}
	vk.DestroyBuffer(dev, b.buffer, nil)
	vk.FreeMemory(dev, b.memory, nil)
	b.views = nil
}

// take carves size bytes from the block's free list (first fit).
func (b *block) take(size uint64) (uint64, bool) {
	for i, s := range b.free {
		if s.size >= size {
			off := s.off
			if s.size == size {
				b.free = append(b.free[:i], b.free[i+1:]...)
			} else {
				b.free[i] = span{s.off + size, s.size - size}
			}
			b.used += size
			return off, true
		}
	}
	return 0, false
}

// give returns a range to the free list and merges it with its neighbours.
func (b *block) give(off, size uint64) {
	b.free = append(b.free, span{off, size})
	sort.Slice(b.free, func(i, j int) bool { return b.free[i].off < b.free[j].off })
	merged := b.free[:1]
	for _, s := range b.free[1:] {
		last := &merged[len(merged)-1]
		if last.off+last.size == s.off {
			last.size += s.size
		} else {
			merged = append(merged, s)
		}
	}
	b.free = merged
	b.used -= size
}

// alloc returns a block and offset for size bytes.
func (a *allocator) alloc(size uint64) (*block, uint64, error) {
	size = alignUp(size, a.align)
	if size > a.blockSize {
		b, err := a.newBlock(size, true)
		if err != nil {
			return nil, 0, err
		}
		off, _ := b.take(size)
		a.account(size)
		return b, off, nil
	}
	for _, b := range a.blocks {
		if b.dedicated {
			continue
		}
		if off, ok := b.take(size); ok {
			a.account(size)
			return b, off, nil
		}
	}
	b, err := a.newBlock(a.blockSize, false)
	if err != nil {
		return nil, 0, err
	}
	off, _ := b.take(size)
	a.account(size)
	return b, off, nil
}

func (a *allocator) account(size uint64) {
	a.inUse += size
	if a.inUse > a.peak {
		a.peak = a.inUse
	}
}

func (a *allocator) release(b *block, off, size uint64) {
	if a.closed {
		return
	}
	size = alignUp(size, a.align)
	// Texel views of the range go with it (the next owner makes its own).
	for k, v := range b.views {
		if k.off >= off && k.off < off+size {
			vk.DestroyBufferView(a.dev, v, nil)
			delete(b.views, k)
		}
	}
	b.give(off, size)
	a.inUse -= size
	if b.dedicated {
		b.destroy(a.dev)
		for i, x := range a.blocks {
			if x == b {
				a.blocks = append(a.blocks[:i], a.blocks[i+1:]...)
				break
			}
		}
	}
}

func (a *allocator) destroy() {
	for _, b := range a.blocks {
		b.destroy(a.dev)
	}
	a.blocks, a.closed = nil, true
}

// MemoryStats reports the sub-allocator's state.
type MemoryStats struct {
	Blocks     int    `json:"blocks"`
	BlockBytes uint64 `json:"block_bytes"`
	InUse      uint64 `json:"in_use_bytes"`
	Peak       uint64 `json:"peak_bytes"`
	Mappable   bool   `json:"host_mappable"`
}

func (a *allocator) stats() MemoryStats {
	s := MemoryStats{Blocks: len(a.blocks), InUse: a.inUse, Peak: a.peak, Mappable: a.mappable}
	for _, b := range a.blocks {
		s.BlockBytes += b.size
	}
	return s
}
