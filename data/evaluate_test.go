package data

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Exact points score a ratio near 1 and the right mode weights; points
// drawn from one mode only are far above the floor and miss the weights.
func TestEvaluate(t *testing.T) {
	ds, err := Builtin("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	const n = 800
	exact := ds.Sample(n, rand.New(rand.NewPCG(3, 4)))
	e, err := Evaluate(ds, exact, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	if e.N != n || e.Dim != 2 || len(e.NoiseFloorValues) != 3 || len(e.Modes) != 8 {
		t.Fatalf("report shape: N %d Dim %d floors %d modes %d", e.N, e.Dim, len(e.NoiseFloorValues), len(e.Modes))
	}
	if e.Ratio > 4 || *e.MaxWeightError > 0.06 {
		t.Errorf("exact samples: ratio %.3g, max weight error %.3g", e.Ratio, *e.MaxWeightError)
	}
	one := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		one = append(one, exact[0], exact[1])
	}
	bad, err := Evaluate(ds, one, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	if bad.Ratio < 20*e.Ratio || *bad.MaxWeightError < 0.5 {
		t.Errorf("one-point samples: ratio %.3g (exact %.3g), max weight error %.3g", bad.Ratio, e.Ratio, *bad.MaxWeightError)
	}
	for _, c := range []struct {
		x    []float64
		reps int
		want string
	}{{exact[:3], 3, "rows of 2"}, {exact[:2], 3, "at least 2 points"}, {exact, 0, "reps"}} {
		if _, err := Evaluate(ds, c.x, 7, c.reps); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Evaluate(%d values, reps %d): error %v, want one naming %q", len(c.x), c.reps, err, c.want)
		}
	}
}
