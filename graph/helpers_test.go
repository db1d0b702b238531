package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// inputKind chooses the distribution of random test inputs.
type inputKind int

const (
	anyReal  inputKind = iota // uniform in [-1.5, 1.5]
	positive                  // uniform in [0.5, 2]
	awayZero                  // |x| in [0.2, 1.5], for kinks at 0
)

func randVals(r *rand.Rand, n int, k inputKind) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch k {
		case positive:
			v[i] = 0.5 + 1.5*r.Float64()
		case awayZero:
			v[i] = 0.2 + 1.3*r.Float64()
			if r.IntN(2) == 0 {
				v[i] = -v[i]
			}
		default:
			v[i] = 3*r.Float64() - 1.5
		}
	}
	return v
}

func run(t *testing.T, ref *Reference, feeds Feeds, outs ...*Node) [][]float64 {
	t.Helper()
	res, err := ref.Run(feeds, outs...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// closeTo reports whether |a-b| <= tol (1 + |b|) elementwise.
func closeTo(a, b []float64, tol float64) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= tol*(1+math.Abs(b[i]))) {
			return i, false
		}
	}
	return 0, true
}

func checkClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if i, ok := closeTo(got, want, tol); !ok {
		if i < 0 {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		t.Fatalf("%s: element %d = %.12g, want %.12g (tol %g)\n got %.6g\nwant %.6g", what, i, got[i], want[i], tol, got, want)
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// fdCheck compares grads (one per input of vals) with central differences
// of f, perturbing vals in place.
func fdCheck(t *testing.T, what string, vals, grads [][]float64, f func() float64, tol float64) {
	t.Helper()
	const h = 1e-5
	for i, v := range vals {
		fd := make([]float64, len(v))
		for j := range v {
			x := v[j]
			v[j] = x + h
			fp := f()
			v[j] = x - h
			fm := f()
			v[j] = x
			fd[j] = (fp - fm) / (2 * h)
		}
		checkClose(t, fmt.Sprintf("%s of input %d", what, i), grads[i], fd, tol)
	}
}

// EqualBits reports whether a and b hold bit-identical values (exported
// for the package graph_test files).
func EqualBits(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	})
}
