package fd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Central differences of sum(a^3) + sum(b) give 3a^2 and 1, and leave the
// inputs as they were.
func TestCentral(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a, b := Draw(r, 7, AnyReal), Draw(r, 3, Positive)
	saved := append([]float64(nil), a...)
	f := func() float64 {
		s := 0.0
		for _, x := range a {
			s += x * x * x
		}
		for _, x := range b {
			s += x
		}
		return s
	}
	g := Central([][]float64{a, b}, f)
	for i, x := range a {
		if math.Abs(g[0][i]-3*x*x) > 1e-8 || x != saved[i] {
			t.Errorf("d/da[%d] = %g, want %g (a[%d] %g, was %g)", i, g[0][i], 3*x*x, i, x, saved[i])
		}
	}
	for i, d := range g[1] {
		if math.Abs(d-1) > 1e-8 {
			t.Errorf("d/db[%d] = %g, want 1", i, d)
		}
	}
	for _, x := range Draw(r, 100, AwayZero) {
		if math.Abs(x) < 0.2 || math.Abs(x) > 1.5 {
			t.Errorf("AwayZero drew %g", x)
		}
	}
}
