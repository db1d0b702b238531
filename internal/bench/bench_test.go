package bench

import (
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// TestRun runs the cheap groups once and checks the rows' shape; the SGEMM
// group is covered by kernels' tests and `sdevk bench`.
func TestRun(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	rows, err := Run(dev, Options{Ops: []string{"dispatch"}, Quick: true, Repeats: 2, Warmup: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d dispatch rows, want 2: %+v", len(rows), rows)
	}
	for _, r := range rows {
		if r.Op != "dispatch" || r.Device != dev.Info.Name || !(r.MinMs > 0 && r.MinMs <= r.MedianMs && r.MedianMs <= r.MaxMs) {
			t.Errorf("bad row %+v", r)
		}
	}
	if _, err := Run(dev, Options{Ops: []string{"nope"}}); err == nil {
		t.Error("Run accepted an unknown op")
	}
}

func TestRow(t *testing.T) {
	r := row("sgemm", "2x2x2", "reg", "d", []float64{4, 1, 2, 3}, 16e6, 8e6)
	if r.MedianMs != 2.5 || r.MinMs != 1 || r.MaxMs != 4 || r.GFLOPS != 6.4 || r.GBps != 3.2 {
		t.Errorf("row = %+v", r)
	}
}
