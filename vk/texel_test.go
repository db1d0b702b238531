package vk_test

import (
	"strings"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/shaders"
	"github.com/sdevk/sdevk/vk"
)

// texelSpec is axpbypcz_texels: x, g, z as texel buffers (bindings 0-2), y
// as a storage buffer (3), and x, g, z again as storage buffers (4-6); it
// moves units of 8 floats.
func texelSpec(t *testing.T) vk.KernelSpec {
	t.Helper()
	code, err := shaders.SPIRV("axpbypcz_texels")
	if err != nil {
		t.Fatal(err)
	}
	return vk.KernelSpec{
		Name: "axpbypcz_texels", SPIRV: code, Bindings: 7, Writes: []int{3}, PushBytes: 20,
		Kinds: []vk.BindingKind{vk.TexelsVec4, vk.TexelsVec4, vk.TexelsVec4},
		Local: [3]uint32{8, 1, 1}, Consts: []uint32{8, 1},
	}
}

// TestTexelBindings reads texel buffers that are views at non-zero offsets
// of an arena, replays the sequence (the views are made once), and checks
// the values, the tail read through the storage bindings included.
func TestTexelBindings(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	if !d.Info.TexelsVec4 || !d.Info.ShaderInt64 {
		t.Skip(d.Info.Name, " cannot read RGBA32F texel buffers or lacks shaderInt64 (axpbypcz_texels needs both)")
	}
	k, err := d.Kernel(texelSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	const n = 4*37 + 3
	al := d.ViewAlign()
	arena, err := d.NewArena(16 * al)
	if err != nil {
		t.Fatal(err)
	}
	defer arena.Free()
	var bufs [4]*vk.Buffer
	for i := range bufs {
		if bufs[i], err = arena.View(uint64(3*i+1)*al, 4*n); err != nil { // each 604 bytes, 3*al apart
			t.Fatal(err)
		}
	}
	x, g, z, y := bufs[0], bufs[1], bufs[2], bufs[3]
	in := func(s float32) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = s * float32(i%17-8)
		}
		return v
	}
	xs, gs, zs := in(1), in(0.5), in(-2)
	for i, v := range [][]float32{xs, gs, zs} {
		if err := bufs[i].Upload(v); err != nil {
			t.Fatal(err)
		}
	}
	seq, err := d.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Destroy()
	seq.Begin()
	if err := seq.Dispatch(k, [3]uint32{1, 1, 1}, vk.Push(uint32(n), float32(2), float32(3), float32(0.25), uint32(40)), x, g, z, y, x, g, z); err != nil {
		t.Fatal(err)
	}
	seq.End()
	for rep := 0; rep < 2; rep++ {
		if err := seq.Submit(); err != nil {
			t.Fatal(err)
		}
		out := make([]float32, n)
		if err := y.Download(out); err != nil {
			t.Fatal(err)
		}
		want := make([]float64, n)
		for i := range want {
			want[i] = 2*float64(xs[i]) + 3*float64(gs[i]) + 0.25*float64(zs[i])
		}
		vktest.Close(t, "texel axpbypcz", out, want, 1e-6, 1e-6)
	}
}

// TestTexelBindingErrors: a written texel binding, too many kinds and a
// buffer without a whole vec4 are refused with errors that say so.
func TestTexelBindingErrors(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	if !d.Info.TexelsVec4 || !d.Info.ShaderInt64 {
		t.Skip(d.Info.Name, " cannot read RGBA32F texel buffers or lacks shaderInt64 (axpbypcz_texels needs both)")
	}
	spec := texelSpec(t)
	spec.Writes = []int{0}
	if _, err := d.Kernel(spec); err == nil || !strings.Contains(err.Error(), "read-only texel buffer") {
		t.Errorf("writing a texel binding: got %v", err)
	}
	spec = texelSpec(t)
	spec.Kinds = make([]vk.BindingKind, 8)
	if _, err := d.Kernel(spec); err == nil || !strings.Contains(err.Error(), "8 binding kinds for 7 bindings") {
		t.Errorf("too many kinds: got %v", err)
	}
	k, err := d.Kernel(texelSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	small, _ := d.NewBufferF32(3)
	defer small.Free()
	big, _ := d.NewBufferF32(64)
	defer big.Free()
	if d.TexelsFit(small) || !d.TexelsFit(big) {
		t.Errorf("TexelsFit: 12 bytes %v, 256 bytes %v; want false, true", d.TexelsFit(small), d.TexelsFit(big))
	}
	seq, _ := d.NewSequence(false)
	defer seq.Destroy()
	seq.Begin()
	err = seq.Dispatch(k, [3]uint32{1, 1, 1}, vk.Push(uint32(3), float32(1), float32(1), float32(1), uint32(8)), big, small, big, big, big, small, big)
	if err == nil || !strings.Contains(err.Error(), "binding 1, a 12-byte buffer, does not fit a texel buffer") {
		t.Errorf("a 12-byte texel binding: got %v", err)
	}
	seq.End()
}
