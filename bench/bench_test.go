package bench

import (
	"math"
	"strings"
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

// TestReferences: a row with a reference comes after it, names it and
// gives the throughput ratio; a reference shared by two groups is measured
// once.
func TestReferences(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	rows, err := Run(dev, Options{Ops: []string{"fused", "copy"}, Quick: true, Repeats: 2, Warmup: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Op != "copy" || rows[1].Op != "fused" {
		t.Fatalf("rows %+v, want copy then fused (the copy group's row is the fused row's reference, measured once)", rows)
	}
	copyRow, fused := rows[0], rows[1]
	if fused.Ref != "copy 16777216 vkCmdCopyBuffer" || math.Abs(fused.VsRef-fused.GBps/copyRow.GBps) > 1e-12 || !strings.Contains(fused.Note, "same run") {
		t.Errorf("fused row %+v against %+v", fused, copyRow)
	}
	if copyRow.Ref != "" || copyRow.VsRef != 0 {
		t.Errorf("the reference row has a reference: %+v", copyRow)
	}
}

func TestCompareWith(t *testing.T) {
	for _, c := range []struct {
		row, ref Row
		want     float64
	}{
		{Row{GBps: 10, GFLOPS: 1, MedianMs: 1}, Row{GBps: 20, GFLOPS: 9, MedianMs: 9}, 0.5},
		{Row{GFLOPS: 30, MedianMs: 1}, Row{GFLOPS: 10, GBps: 5, MedianMs: 9}, 3},
		{Row{MedianMs: 2}, Row{MedianMs: 1}, 0.5},
	} {
		got := c.row
		got.CompareWith(c.ref)
		if got.VsRef != c.want || got.Note == "" {
			t.Errorf("%+v against %+v: VsRef %g (note %q), want %g", c.row, c.ref, got.VsRef, got.Note, c.want)
		}
	}
}

func TestCases(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	for _, bad := range []string{"trainstep", "unet", "nope"} {
		if _, err := Cases(dev, bad, Options{}); err == nil {
			t.Errorf("Cases(%q) gave no error", bad)
		}
	}
	cases, err := Cases(dev, "conv2d", Options{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.Ref == nil || c.Ref.Op != "sgemm" || !(c.FLOPs > 0) {
			t.Errorf("conv2d case %s: reference %v, flops %g", c.Key(), c.Ref, c.FLOPs)
		}
	}
}
