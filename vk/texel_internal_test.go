package vk

import (
	"strings"
	"testing"

	"github.com/sdevk/sdevk/shaders"
)

// TestTexelViewsFreed: the texel views of a buffer's range are destroyed
// when the buffer is freed, not when its block is (shared blocks live as
// long as the device).
func TestTexelViewsFreed(t *testing.T) {
	// (internal/vktest.Open would import this package: its checks by hand.)
	before := len(ValidationMessages())
	d, err := Open(Options{CacheDir: "-"})
	if err != nil {
		if strings.Contains(err.Error(), "libvulkan.so.1") || strings.Contains(err.Error(), "no Vulkan") {
			t.Skipf("no Vulkan on this machine: %v", err)
		}
		t.Fatalf("opening a Vulkan device: %v", err)
	}
	defer func() {
		d.Close()
		if msgs := ValidationMessages()[before:]; len(msgs) > 0 {
			t.Errorf("%d validation messages, the first: %s", len(msgs), msgs[0])
		}
	}()
	if !d.Info.TexelsVec4 || !d.Info.ShaderInt64 {
		t.Skip(d.Info.Name, " lacks RGBA32F texel buffers or shaderInt64")
	}
	code, err := shaders.SPIRV("axpbypcz_texels")
	if err != nil {
		t.Fatal(err)
	}
	k, err := d.Kernel(KernelSpec{
		Name: "axpbypcz_texels", SPIRV: code, Bindings: 7, Writes: []int{3}, PushBytes: 20,
		Kinds: []BindingKind{TexelsVec4, TexelsVec4, TexelsVec4}, Local: [3]uint32{8, 1, 1}, Consts: []uint32{8, 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		x, _ := d.NewBufferF32(64)
		y, _ := d.NewBufferF32(64)
		seq, _ := d.NewSequence(false)
		seq.Begin()
		if err := seq.Dispatch(k, [3]uint32{1, 1, 1}, Push(uint32(64), float32(1), float32(1), float32(1), uint32(8)), x, x, x, y, x, x, x); err != nil {
			t.Fatal(err)
		}
		seq.End()
		if err := seq.Submit(); err != nil {
			t.Fatal(err)
		}
		seq.Destroy()
		if n := len(x.blk.views); n != 1 {
			t.Errorf("round %d: %d views of the block while x is alive, want 1", round, n)
		}
		blk := x.blk
		x.Free()
		y.Free()
		if n := len(blk.views); n != 0 {
			t.Errorf("round %d: %d views left after freeing the buffers", round, n)
		}
	}
}
