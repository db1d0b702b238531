package kernels

import (
	"reflect"
	"testing"

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
		if tu.Preset != "cpu" || tu.GemmAuto != GemmReg || tu.ConvAuto != ConvIm2col || !tu.CopyRows || tu.Elementwise.Groups == 0 || tu.Fused.Groups == 0 || !tu.AttnRegisters || tu.GemmSplitGroups != 0 {
			t.Errorf("%s (CPU type) got the tuning %+v", l.Dev.Info.Name, tu)
		}
	}
	gpu := DefaultTuning(&vk.DeviceInfo{Limits: vk.Limits{MaxWorkgroupInvocations: 128}})
	if gpu.Preset != "gpu" || gpu.GemmAuto != GemmTiled || gpu.ConvAuto != ConvTiled || gpu.CopyRows || gpu.Elementwise.Groups != 0 || gpu.Fused.Groups != 0 || gpu.AttnRegisters || gpu.EwiseFewGroups {
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
