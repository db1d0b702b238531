package vk_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/shaders"
	"github.com/sdevk/sdevk/vk"
)

func fillKernel(t *testing.T, d *vk.Device, local uint32) *vk.Kernel {
	t.Helper()
	code, err := shaders.SPIRV("fill")
	if err != nil {
		t.Fatal(err)
	}
	k, err := d.Kernel(vk.KernelSpec{Name: "fill", SPIRV: code, Bindings: 1, Writes: []int{0}, PushBytes: 8, Local: [3]uint32{local, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestUploadDownloadBothPaths(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := vktest.Open(t, vk.Options{ForceStaging: staging})
		if staging && d.HostMapped() {
			t.Fatal("ForceStaging left buffers host-mapped")
		}
		for _, n := range []int{0, 1, 7, 1000} {
			b, err := d.NewBufferF32(n)
			if err != nil {
				t.Fatal(err)
			}
			in := make([]float32, n)
			for i := range in {
				in[i] = float32(i)*0.5 - 3
			}
			if err := b.Upload(in); err != nil {
				t.Fatal(err)
			}
			out := make([]float32, n)
			if err := b.Download(out); err != nil {
				t.Fatal(err)
			}
			for i := range in {
				if in[i] != out[i] {
					t.Fatalf("staging=%v n=%d: element %d = %v, want %v", staging, n, i, out[i], in[i])
				}
			}
			b.Free()
		}
	}
}

func TestSubAllocatorReusesBlocks(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	var bufs []*vk.Buffer
	for i := 0; i < 100; i++ {
		b, err := d.NewBufferF32(1000 + i)
		if err != nil {
			t.Fatal(err)
		}
		bufs = append(bufs, b)
	}
	if s := d.Memory(); s.Blocks != 1 {
		t.Errorf("100 small buffers used %d device allocations, want 1", s.Blocks)
	}
	for _, b := range bufs {
		b.Free()
	}
	if s := d.Memory(); s.InUse != 0 {
		t.Errorf("after freeing everything %d bytes are in use", s.InUse)
	}
}

func TestOversizedBufferIsRefused(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	lim := d.Info.Limits.MaxStorageBufferRange
	if _, err := d.NewBuffer(lim + 4); err == nil {
		t.Fatalf("a buffer over maxStorageBufferRange (%d) was accepted", lim)
	}
}

// A dispatch larger than maxComputeWorkGroupCount[0] groups spills into y,
// and kernels index a 2-D grid as one row after another. Devices whose limit
// is beyond any buffer's range (2^31-1 groups on NVIDIA) run the explicit
// 2-D grid only.
func TestTwoDimensionalGrid(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	k := fillKernel(t, d, 64)
	n := int(d.Info.Limits.MaxWorkgroupCount[0])*64 + 77
	if uint64(n)*4 > d.Info.Limits.MaxStorageBufferRange {
		t.Logf("%d groups of 64 exceed the storage-buffer range: the spill is not reachable on %s", d.Info.Limits.MaxWorkgroupCount[0], d.Info.Name)
	} else {
		g := k.Groups(n)
		if g[1] < 2 {
			t.Fatalf("grid %v for %d elements is not 2-D", g, n)
		}
		fillGrid(t, d, k, n, g)
	}
	fillGrid(t, d, k, 7*3*64-5, [3]uint32{7, 3, 1})
}

// fillGrid fills n values with 2.5 over grid and checks a few.
func fillGrid(t *testing.T, d *vk.Device, k *vk.Kernel, n int, g [3]uint32) {
	t.Helper()
	b, err := d.NewBufferF32(n)
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
	seq.Fill(b, 0)
	if err := seq.Dispatch(k, g, vk.Push(uint32(n), float32(2.5)), b); err != nil {
		t.Fatal(err)
	}
	seq.End()
	if err := seq.Submit(); err != nil {
		t.Fatal(err)
	}
	out := make([]float32, n)
	b.Download(out)
	for _, i := range []int{0, 1, n / 2, n - 1} {
		if out[i] != 2.5 {
			t.Fatalf("grid %v: element %d of %d = %v, want 2.5", g, i, n, out[i])
		}
	}
}

// Independent dispatches get no barrier; dependent ones do; a recorded
// sequence replays with new push-free inputs.
func TestBarriersOnlyOnDependencies(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	k := fillKernel(t, d, 64)
	a, _ := d.NewBufferF32(100)
	b, _ := d.NewBufferF32(100)
	seq, _ := d.NewSequence(true)
	defer seq.Destroy()
	seq.Begin()
	seq.Dispatch(k, k.Groups(100), vk.Push(uint32(100), float32(1)), a)
	seq.Dispatch(k, k.Groups(100), vk.Push(uint32(100), float32(2)), b) // independent
	seq.Dispatch(k, k.Groups(50), vk.Push(uint32(50), float32(3)), a)   // write after write
	seq.End()
	if n, bars := seq.Stats(); n != 3 || bars != 1 {
		t.Errorf("recorded %d dispatches and %d barriers, want 3 and 1", n, bars)
	}
	for rep := 0; rep < 3; rep++ {
		if err := seq.Submit(); err != nil {
			t.Fatal(err)
		}
	}
	out := make([]float32, 100)
	a.Download(out)
	if out[0] != 3 || out[49] != 3 || out[50] != 1 {
		t.Errorf("a = %v %v %v, want 3 3 1", out[0], out[49], out[50])
	}
	tm, err := seq.Timings()
	if err != nil {
		t.Fatal(err)
	}
	if len(tm) != 3 {
		t.Errorf("got %d timings, want 3", len(tm))
	}
}

func TestPipelineCacheIsReused(t *testing.T) {
	dir := t.TempDir()
	d := vktest.Open(t, vk.Options{CacheDir: dir})
	fillKernel(t, d, 32)
	path := d.PipelineCache().Path
	d.Close()
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		t.Fatalf("pipeline cache not written at %s: %v", path, err)
	}
	d2 := vktest.Open(t, vk.Options{CacheDir: dir})
	if got := d2.PipelineCache().LoadedBytes; got != int(st.Size()) {
		t.Errorf("reopened device loaded %d cache bytes, want %d", got, st.Size())
	}
}

func TestDeviceSelection(t *testing.T) {
	devs, err := vk.Enumerate()
	if err != nil {
		t.Skipf("no Vulkan: %v", err)
	}
	d := vktest.Open(t, vk.Options{Device: "0"})
	if d.Info.Name != devs[0].Name {
		t.Errorf("--device 0 opened %q, want %q", d.Info.Name, devs[0].Name)
	}
	if _, err := vk.Open(vk.Options{Device: "no-such-gpu"}); err == nil {
		t.Error("an unknown device name was accepted")
	}
}

func TestArenaViews(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	k := fillKernel(t, d, 64)
	al := d.ViewAlign()
	arena, err := d.NewArena(4 * al)
	if err != nil {
		t.Fatal(err)
	}
	defer arena.Free()
	v1, err := arena.View(0, 40)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := arena.View(al, 40)
	if _, err := arena.View(4, 8); err == nil {
		t.Error("a misaligned view was accepted")
	}
	seq, _ := d.NewSequence(false)
	defer seq.Destroy()
	seq.Begin()
	seq.Dispatch(k, k.Groups(10), vk.Push(uint32(10), float32(1)), v1)
	seq.Dispatch(k, k.Groups(10), vk.Push(uint32(10), float32(2)), v2)
	seq.End()
	if _, bars := seq.Stats(); bars != 0 {
		t.Errorf("disjoint views got %d barriers", bars)
	}
	seq.Submit()
	out := make([]float32, 10)
	v2.Download(out)
	if out[9] != 2 {
		t.Errorf("view 2 holds %v, want 2", out[9])
	}
	v1.Free() // a no-op for views
	v1.Download(out)
	if out[0] != 1 {
		t.Errorf("view 1 holds %v, want 1", out[0])
	}
}

// TestCopyRanges: one copy of several ranges, and a range outside the
// buffers refused with an error that names it.
func TestCopyRanges(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	src, _ := d.NewBufferF32(16)
	dst, _ := d.NewBufferF32(16)
	defer src.Free()
	defer dst.Free()
	in := make([]float32, 16)
	for i := range in {
		in[i] = float32(i)
	}
	src.Upload(in)
	dst.Upload(make([]float32, 16))
	seq, _ := d.NewSequence(false)
	defer seq.Destroy()
	seq.Begin()
	if err := seq.CopyRanges(dst, src, []vk.CopyRange{{SrcOff: 0, DstOff: 32, Size: 8}, {SrcOff: 40, DstOff: 0, Size: 12}}); err != nil {
		t.Fatal(err)
	}
	err := seq.CopyRanges(dst, src, []vk.CopyRange{{SrcOff: 60, DstOff: 0, Size: 8}})
	if err == nil || !strings.Contains(err.Error(), "copy range 0 (8 bytes from 60 to 0) is outside") {
		t.Errorf("an out-of-range copy: got %v", err)
	}
	seq.End()
	if err := seq.Submit(); err != nil {
		t.Fatal(err)
	}
	out := make([]float32, 16)
	dst.Download(out)
	want := []float32{10, 11, 12, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("dst = %v, want %v", out, want)
		}
	}
}

// TestGather: whole sources copied to offsets of one buffer in one command
// per memory block; an offset past the end is refused.
func TestGather(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	arena, _ := d.NewArena(4 * d.ViewAlign())
	defer arena.Free()
	a, _ := arena.View(0, 12)
	b, _ := arena.View(2*d.ViewAlign(), 8)
	a.Upload([]float32{1, 2, 3})
	b.Upload([]float32{4, 5})
	dst, _ := d.NewBufferF32(8)
	defer dst.Free()
	dst.Upload(make([]float32, 8))
	seq, _ := d.NewSequence(false)
	defer seq.Destroy()
	seq.Begin()
	if err := seq.Gather(dst, []uint64{16, 4}, []*vk.Buffer{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := seq.Gather(dst, []uint64{28}, []*vk.Buffer{b}); err == nil || !strings.Contains(err.Error(), "outside a 32-byte destination") {
		t.Errorf("a gather past the end: got %v", err)
	}
	seq.End()
	if err := seq.Submit(); err != nil {
		t.Fatal(err)
	}
	out := make([]float32, 8)
	dst.Download(out)
	want := []float32{0, 4, 5, 0, 1, 2, 3, 0}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("dst = %v, want %v", out, want)
		}
	}
	if n, _ := seq.Stats(); n != 0 {
		t.Errorf("%d dispatches for a gather", n)
	}
}

// TestCopyChecks: empty ranges record nothing; freed buffers and ranges
// whose end wraps around are refused.
func TestCopyChecks(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	a, _ := d.NewBufferF32(4)
	b, _ := d.NewBufferF32(4)
	defer a.Free()
	gone, _ := d.NewBufferF32(4)
	gone.Free()
	seq, _ := d.NewSequence(false)
	defer seq.Destroy()
	seq.Begin()
	if err := seq.CopyRanges(b, a, []vk.CopyRange{{SrcOff: 4, DstOff: 4, Size: 0}}); err != nil {
		t.Errorf("an empty range: %v", err)
	}
	if err := seq.CopyRanges(b, gone, []vk.CopyRange{{Size: 4}}); err == nil {
		t.Error("a copy from a freed buffer was accepted")
	}
	if err := seq.CopyRanges(b, a, []vk.CopyRange{{SrcOff: 8, Size: ^uint64(0) - 3}}); err == nil {
		t.Error("a range whose end wraps around was accepted")
	}
	if err := seq.Gather(gone, []uint64{0}, []*vk.Buffer{a}); err == nil {
		t.Error("a gather into a freed buffer was accepted")
	}
	seq.End()
	if err := seq.Submit(); err != nil {
		t.Fatal(err)
	}
	b.Free()
}
