package data

import (
	"math"
	"testing"
)

// TestClassScore checks the guided score: scale 0 is the mixture's score,
// scale 1 component k's own, and the classifier gradient u_k - score is the
// finite-difference gradient of log p_t(k | x).
func TestClassScore(t *testing.T) {
	g := testGMM(t)
	x := []float64{-1, 0.5, 2, 2, 0.3, 3.1}
	const m, s = 0.8, 0.6
	n := len(x)
	mix, got, comp := make([]float64, n), make([]float64, n), make([]float64, n)
	g.ScoreAt(x, m, s, mix)
	for k := 0; k < g.K(); k++ {
		g.ClassScoreAt(x, m, s, k, 0, got)
		assertClassClose(t, "scale 0", got, mix, 1e-12)
		g.ClassScoreAt(x, m, s, k, 1, got)
		g.Component(k).ScoreAt(x, m, s, comp)
		assertClassClose(t, "scale 1", got, comp, 1e-9)
		// grad log p(k|x) by central differences.
		const h = 1e-5
		post := make([]float64, g.K())
		for j := range x {
			xp := append([]float64(nil), x...)
			xp[j] += h
			g.PosteriorAt(xp[j/2*2:j/2*2+2], m, s, post)
			lp := math.Log(post[k])
			xp[j] -= 2 * h
			g.PosteriorAt(xp[j/2*2:j/2*2+2], m, s, post)
			fd := (lp - math.Log(post[k])) / (2 * h)
			if want := comp[j] - mix[j]; math.Abs(fd-want) > 1e-5*(1+math.Abs(want)) {
				t.Errorf("class %d: d log p(k|x)/dx[%d] = %g by differences, u_k - score = %g", k, j, fd, want)
			}
		}
	}
	if err := g.CheckClass(3); err == nil {
		t.Error("class 3 of a 3-component mixture accepted")
	}
}

// TestCondition checks p(x_U | x_O = a) against the joint: log p_cond(x_U) -
// log p(a, x_U) is the same constant (-log p(a)) for every x_U.
func TestCondition(t *testing.T) {
	g, err := NewGMM([]Component{
		{Weight: 0.4, Mean: []float64{-2, 0, 1}, Std: 0.7},
		{Weight: 0.6, Mean: []float64{2, 1, -1}, Cov: [][]float64{{1, 0.5, 0.2}, {0.5, 0.8, -0.1}, {0.2, -0.1, 0.6}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	known := map[int]float64{1: 0.7}
	c, free, err := g.Condition(known)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dim() != 2 || free[0] != 0 || free[1] != 2 {
		t.Fatalf("conditional of dimension %d over %v, want 2 over [0 2]", c.Dim(), free)
	}
	var diff []float64
	for _, u := range [][]float64{{0, 0}, {-2, 1}, {1.5, -0.5}, {3, 2}} {
		lc, lj := make([]float64, 1), make([]float64, 1)
		c.LogProb(u, lc)
		g.LogProb([]float64{u[0], 0.7, u[1]}, lj)
		diff = append(diff, lc[0]-lj[0])
	}
	for _, v := range diff[1:] {
		if math.Abs(v-diff[0]) > 1e-9 {
			t.Fatalf("log p_cond - log p_joint varies: %v", diff)
		}
	}
	for _, bad := range []map[int]float64{{3: 1}, {0: 1, 1: 1, 2: 1}} {
		if _, _, err := g.Condition(bad); err == nil {
			t.Errorf("Condition(%v) accepted", bad)
		}
	}
}

func assertClassClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}
