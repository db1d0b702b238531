package vk_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/shaders"
	"github.com/sdevk/sdevk/vk"
)

func spirv(t *testing.T, name string) []byte {
	t.Helper()
	code, err := shaders.SPIRV(name)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestReadInterfaceKnownShaders checks the reader on shaders whose
// interfaces exercise each case: texel and storage bindings, read-write
// buffers, aliased bindings (im2col writes one buffer as float, vec4 and
// u64vec2), a push block of 21 words and none at all.
func TestReadInterfaceKnownShaders(t *testing.T) {
	s, tx := vk.Storage, vk.TexelsVec4
	for _, c := range []struct {
		name string
		want vk.Interface
	}{
		{"axpbypcz_texels", vk.Interface{Kinds: []vk.BindingKind{tx, tx, tx, s, s, s, s}, Writes: []int{3}, PushBytes: 20}},
		{"sgemm_reg_texels", vk.Interface{Kinds: []vk.BindingKind{tx, tx, s}, Writes: []int{2}, PushBytes: 36}},
		{"adam", vk.Interface{Kinds: []vk.BindingKind{s, s, s, s, s}, Writes: []int{2, 3, 4}, PushBytes: 28}},
		{"im2col", vk.Interface{Kinds: []vk.BindingKind{s, s}, Writes: []int{1}, PushBytes: 16}},
		{"strided_copy", vk.Interface{Kinds: []vk.BindingKind{s, s}, Writes: []int{1}, PushBytes: 84}},
		{"sde_advance", vk.Interface{Kinds: []vk.BindingKind{s}, Writes: []int{0}, PushBytes: 0}},
	} {
		got, err := vk.ReadInterface(spirv(t, c.name))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(got.Kinds, c.want.Kinds) || !slices.Equal(got.Writes, c.want.Writes) || got.PushBytes != c.want.PushBytes {
			t.Errorf("%s: read %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestEmbeddedShaderInterfaces reads every embedded shader's interface and
// checks it keeps shaders' conventions: at least one binding, texel buffers
// read-only, push constants within the 128 bytes every device offers.
func TestEmbeddedShaderInterfaces(t *testing.T) {
	for _, name := range shaders.Names() {
		iface, err := vk.ReadInterface(spirv(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(iface.Kinds) == 0 || len(iface.Writes) == 0 {
			t.Errorf("%s: %d bindings, %d written: a kernel reads and writes buffers", name, len(iface.Kinds), len(iface.Writes))
		}
		for _, w := range iface.Writes {
			if iface.Kinds[w] != vk.Storage {
				t.Errorf("%s: writes binding %d, a %s", name, w, iface.Kinds[w])
			}
		}
		if iface.PushBytes > 128 || iface.PushBytes%4 != 0 {
			t.Errorf("%s: push-constant block of %d bytes", name, iface.PushBytes)
		}
	}
}

// TestReadInterfaceRejectsNonModules: bytes that are not SPIR-V are an
// error, not a panic.
func TestReadInterfaceRejectsNonModules(t *testing.T) {
	code := spirv(t, "fill")
	// The first instruction after the header claims 0xffff words.
	overlong := append(append([]byte{}, code[:20]...), 0x47, 0, 0xff, 0xff)
	for what, b := range map[string][]byte{
		"empty": nil, "odd length": code[:len(code)-1], "overlong instruction": overlong, "bad magic": append([]byte{0, 0, 0, 0}, code[4:]...),
	} {
		if _, err := vk.ReadInterface(b); err == nil {
			t.Errorf("%s: no error", what)
		}
	}
}

// TestDeclaredInterfaceMismatch: a spec whose declared bindings, kinds,
// writes or push size differ from its SPIR-V fails when loaded, with an
// error naming the shader and what differs.
func TestDeclaredInterfaceMismatch(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	base := vk.KernelSpec{Name: "fill", SPIRV: spirv(t, "fill"), Bindings: 1, Writes: []int{0}, PushBytes: 8, Local: [3]uint32{8, 1, 1}}
	if _, err := d.Kernel(base); err != nil {
		t.Fatalf("the right declaration: %v", err)
	}
	undeclared := vk.KernelSpec{Name: "fill", SPIRV: base.SPIRV, Local: base.Local}
	k, err := d.Kernel(undeclared)
	if err != nil {
		t.Fatalf("no declaration: %v", err)
	}
	if k.Spec.Bindings != 1 || !slices.Equal(k.Spec.Writes, []int{0}) || k.Spec.PushBytes != 8 {
		t.Errorf("interface read from SPIR-V: %d bindings, writes %v, %d push bytes", k.Spec.Bindings, k.Spec.Writes, k.Spec.PushBytes)
	}
	for _, c := range []struct {
		what string
		edit func(*vk.KernelSpec)
		want string
	}{
		{"two bindings", func(s *vk.KernelSpec) { s.Bindings = 2 }, "kernel fill: declared 2 bindings, the shader has 1"},
		{"read-only output", func(s *vk.KernelSpec) { s.Writes = []int{} }, "kernel fill: binding 0 declared read-only, the shader has it written"},
		{"texel output", func(s *vk.KernelSpec) { s.Kinds = []vk.BindingKind{vk.TexelsVec4} }, "kernel fill: binding 0 declared vec4 texel buffer, the shader has storage buffer"},
		{"push size", func(s *vk.KernelSpec) { s.PushBytes = 12 }, "kernel fill: declared 12 bytes of push constants, the shader's block is 8"},
	} {
		spec := base
		c.edit(&spec)
		_, err := d.Kernel(spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.what, err, c.want)
		}
	}
}

// TestDispatchChecksReadInterface: a kernel whose interface came from its
// SPIR-V refuses, when recorded, a wrong number of buffers or of push bytes.
func TestDispatchChecksReadInterface(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	k, err := d.Kernel(vk.KernelSpec{Name: "fill", SPIRV: spirv(t, "fill"), Local: [3]uint32{8, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.NewBufferF32(16)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	seq, err := d.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Destroy()
	seq.Begin()
	if err := seq.Dispatch(k, k.Groups(16), vk.Push(uint32(16), float32(1)), b, b); err == nil || !strings.Contains(err.Error(), "kernel fill takes 1 buffers, got 2") {
		t.Errorf("two buffers: got %v", err)
	}
	if err := seq.Dispatch(k, k.Groups(16), vk.Push(uint32(16)), b); err == nil || !strings.Contains(err.Error(), "kernel fill takes 8 bytes of push constants, got 4") {
		t.Errorf("4 push bytes: got %v", err)
	}
	if err := seq.Dispatch(k, k.Groups(16), vk.Push(uint32(16), float32(1)), b); err != nil {
		t.Errorf("the right dispatch: %v", err)
	}
	if err := seq.End(); err != nil {
		t.Fatal(err)
	}
}
