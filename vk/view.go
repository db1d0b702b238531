package vk

import (
	"fmt"

	vk "github.com/vulkan-go/vulkan"
)

// NewArena reserves one buffer that callers carve into views (the graph
// executor places all intermediates of a program in one planned arena). An
// arena may exceed maxStorageBufferRange; each view must not.
func (d *Device) NewArena(bytes uint64) (*Buffer, error) {
	alloc := bytes
	if alloc < 4 {
		alloc = 4
	}
	if r := d.faults.alloc(); r != vk.Success {
		return nil, fmt.Errorf("vulkan: allocating %d bytes: %w", bytes, resultErr(r))
	}
	blk, off, err := d.mem.alloc(alloc)
	if err != nil {
		return nil, err
	}
	return &Buffer{dev: d, blk: blk, offset: off, size: bytes, alloc: alloc}, nil
}

// View returns the bytes [off, off+size) of b as a buffer of its own that
// shares b's memory. off must be a multiple of the device's storage-buffer
// offset alignment (ViewAlign). Freeing a view does nothing; the view is
// invalid once b is freed.
func (b *Buffer) View(off, size uint64) (*Buffer, error) {
	if off%b.dev.ViewAlign() != 0 {
		return nil, fmt.Errorf("vulkan: view offset %d is not a multiple of %d", off, b.dev.ViewAlign())
	}
	if off+size > b.size {
		return nil, fmt.Errorf("vulkan: view [%d, %d) outside a %d-byte buffer", off, off+size, b.size)
	}
	if lim := b.dev.Info.Limits.MaxStorageBufferRange; lim > 0 && size > lim {
		return nil, fmt.Errorf("vulkan: %w: a %d-byte view exceeds maxStorageBufferRange (%d bytes)", ErrBufferTooLarge, size, lim)
	}
	alloc := size
	if alloc < 4 {
		alloc = 4
	}
	return &Buffer{dev: b.dev, blk: b.blk, offset: b.offset + off, size: size, alloc: alloc, view: true}, nil
}

// ViewAlign is the alignment of view offsets: the allocator's alignment,
// at least minStorageBufferOffsetAlignment and 256.
func (d *Device) ViewAlign() uint64 { return d.mem.align }
