package kernels

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// TestDefaultTuning: the library takes its device's preset; CPU-type
// devices get the CPU variants; the GPU preset keeps the GPU variants and
// cuts its widths to a small workgroup limit.
func TestDefaultTuning(t *testing.T) {
	l := testLib(t)
	if want := DefaultTuning(&l.Dev.Info); !reflect.DeepEqual(l.Tuning, want) {
		t.Errorf("New's tuning %+v, DefaultTuning %+v", l.Tuning, want)
	}
	if l.Dev.Info.IsCPU() {
		tu := l.Tuning
		if tu.Preset != "cpu" || tu.GemmAuto != GemmReg || tu.ConvAuto != ConvWinograd || !tu.CopyRows || tu.Elementwise.Groups == 0 || tu.Fused.Groups == 0 || !tu.AttnRegisters || tu.GemmSplitGroups != 0 {
			t.Errorf("%s (CPU type) got the tuning %+v", l.Dev.Info.Name, tu)
		}
	}
	gpu := DefaultTuning(&vk.DeviceInfo{Limits: vk.Limits{MaxWorkgroupInvocations: 128}})
	if gpu.Preset != "gpu" || gpu.GemmAuto != GemmTiled || gpu.ConvAuto != ConvTiled || gpu.CopyRows || gpu.Elementwise.Groups != 0 || gpu.Fused.Groups != 0 || gpu.AttnRegisters || gpu.Ewise.Groups != 0 {
		t.Errorf("GPU preset %+v", gpu)
	}
	if gpu.Local1D != 128 || gpu.ReduceLocal != 128 {
		t.Errorf("GPU preset at 128 invocations: Local1D %d, ReduceLocal %d", gpu.Local1D, gpu.ReduceLocal)
	}
	// Presets own their tile lists: a test editing one leaves the next alone.
	gpu.GemmTiledTiles[0].BK, gpu.ConvTiledTiles[0].BK = 1, 1
	if again := DefaultTuning(&vk.DeviceInfo{Limits: vk.Limits{MaxWorkgroupInvocations: 128}}); again.GemmTiledTiles[0].BK == 1 || again.ConvTiledTiles[0].BK == 1 {
		t.Error("DefaultTuning shares its tile lists between calls")
	}
	if len(l.Tuning.Lines()) == 0 {
		t.Error("no description")
	}
}

// TestTuningFor: overrides set fields by their JSON names, nested fields
// and variant names included, in order after a preset; a bad override is
// an error naming it.
func TestTuningFor(t *testing.T) {
	info := &vk.DeviceInfo{Limits: vk.Limits{MaxWorkgroupInvocations: 1024}}
	got, err := TuningFor(info, []string{"preset=cpu", "gemm_auto=tiled", "fused.groups=3", "gemm_texels=false", "conv_im2col_chunk=7", "winograd_tile=2"})
	if err != nil {
		t.Fatal(err)
	}
	want := presetTuning("cpu", info)
	want.GemmAuto, want.Fused.Groups, want.GemmTexels, want.ConvIm2colChunk, want.WinogradTile = GemmTiled, 3, false, 7, 2
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TuningFor:\n got %+v\nwant %+v", got, want)
	}
	// A field the preset leaves at zero is still set by its name: the gpu
	// preset's winograd_gemm_tm is 0.
	gpu, err := TuningFor(info, []string{"preset=gpu", "winograd_gemm_tm=16", "gemm_max_groups=8"})
	if err != nil || gpu.WinogradGemmTM != 16 || gpu.GemmMaxGroups != 8 {
		t.Errorf("zero-valued fields on the gpu preset: %+v, %v", gpu, err)
	}
	if plain, err := TuningFor(info, nil); err != nil || !reflect.DeepEqual(plain, DefaultTuning(info)) {
		t.Errorf("no overrides: %+v, %v", plain, err)
	}
	for _, bad := range []string{"gemm_auto", "preset=tpu", "gemm_auto=bogus", "nope=1", "fused.nope=1", "gemm_texels=7", "local_1d.x=1", "reduce_local=48", "local_1d=0", "local_1d=4096", "fused.groups=-1", "winograd_tile=3"} {
		if _, err := TuningFor(info, []string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("TuningFor(%q): error %v, want one naming the override", bad, err)
		}
	}
}

// TestTuningOverridesReachLib: a device opened with overrides gives every
// kernel library the overridden tuning.
func TestTuningOverridesReachLib(t *testing.T) {
	dev := vktest.Open(t, vk.Options{Tuning: []string{"copy_rows=false", "reduce_local=32"}})
	l := New(dev)
	if l.Tuning.CopyRows || l.Tuning.ReduceLocal != 32 {
		t.Errorf("overrides did not reach the library: %+v", l.Tuning)
	}
}
