package sde

import (
	"math"
	"strings"
	"testing"
)

// TestGreyReplace: the replacement sets each pixel's grey level to
// m g + s z / sqrt(3) (z of the pixel's channel 0) and keeps its chroma.
func TestGreyReplace(t *testing.T) {
	// Two images of two pixels: channels [r0 r1 g0 g1 b0 b1].
	x := []float64{0.1, 0.9, 0.4, 0.2, 0.7, 0.5, 1, 2, 3, 4, 5, 6}
	z := []float64{1, -1, 9, 9, 9, 9, 0.5, 2, 9, 9, 9, 9}
	g, err := GreyOf([]float64{0.3, 0.3, 0.3, 0.6, 0.6, 0.6, 0, 0, 0, 0, 0, 0}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Check(2, 6); err != nil {
		t.Fatal(err)
	}
	before, _ := GreyOf(x, 6)
	old := append([]float64(nil), x...)
	const m, s = 0.8, 0.5
	g.Replace(x, m, s, z)
	after, _ := GreyOf(x, 6)
	for n := 0; n < 2; n++ {
		for p := 0; p < 2; p++ {
			want := m*g.Level[n*2+p] + s*z[n*6+p]/math.Sqrt(3)
			if q := n*2 + p; math.Abs(after.Level[q]-want) > 1e-12 {
				t.Errorf("image %d pixel %d: grey %g, want %g", n, p, after.Level[q], want)
			}
			for c := 0; c < 3; c++ {
				i := n*6 + c*2 + p
				chromaBefore, chromaAfter := old[i]-before.Level[n*2+p], x[i]-after.Level[n*2+p]
				if math.Abs(chromaBefore-chromaAfter) > 1e-12 {
					t.Errorf("image %d pixel %d channel %d: chroma %g became %g", n, p, c, chromaBefore, chromaAfter)
				}
			}
		}
	}
	if b := g.Batch(1, 1, 6).(Grey); len(b.Level) != 2 || b.Level[0] != 0 {
		t.Errorf("Batch(1, 1) = %+v, want image 1's levels", b)
	}
	if err := g.Check(3, 6); err == nil || !strings.Contains(err.Error(), "the batch has 3 images") {
		t.Errorf("Check of 3 images against 2 images' levels: %v", err)
	}
	if _, err := GreyOf(make([]float64, 8), 4); err == nil {
		t.Error("GreyOf accepted 4 values per image")
	}
}

// TestClipChroma: pixels end in range with their grey level kept.
func TestClipChroma(t *testing.T) {
	x := []float64{1.4, 0.5, -0.2, 0.2, 0.1, 0.5, 0.4, 0.3, 0.9}
	before, _ := GreyOf(x, 9)
	ClipChroma(x, 3, 0, 1)
	after, _ := GreyOf(x, 9)
	for i, v := range x {
		if v < 0 || v > 1+1e-15 {
			t.Errorf("value %d is %g, out of [0, 1]", i, v)
		}
	}
	for p := range after.Level {
		if math.Abs(after.Level[p]-before.Level[p]) > 1e-12 {
			t.Errorf("pixel %d: grey %g became %g", p, before.Level[p], after.Level[p])
		}
	}
	if x[1] != 0.5 || x[4] != 0.1 || x[7] != 0.3 {
		t.Errorf("a pixel in range moved: %v", x)
	}
}

// TestKnownPerPoint: a value and mask per point replace each point's own
// elements, and Batch cuts the rows of a batch.
func TestKnownPerPoint(t *testing.T) {
	k := Known{Mask: []bool{true, false, false, true}, Value: []float64{1, 2, 3, 4}}
	if err := k.Check(2, 2); err != nil {
		t.Fatal(err)
	}
	x := []float64{9, 9, 9, 9}
	k.Replace(x, 2, 1, []float64{0.5, 0.5, 0.25, 0.25})
	if want := []float64{2.5, 9, 9, 8.25}; !equal(x, want) {
		t.Errorf("Replace = %v, want %v", x, want)
	}
	b := k.Batch(1, 1, 2).(Known)
	if !equal(b.Value, []float64{3, 4}) || b.Mask[0] || !b.Mask[1] {
		t.Errorf("Batch(1, 1) = %+v", b)
	}
	if err := k.Check(3, 2); err == nil || !strings.Contains(err.Error(), "for 2 points, the batch has 3") {
		t.Errorf("Check(3, 2) = %v", err)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
