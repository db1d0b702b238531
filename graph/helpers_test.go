package graph

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/sdevk/sdevk/graph/optest/fd"
)

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
// of f.
func fdCheck(t *testing.T, what string, vals, grads [][]float64, f func() float64, tol float64) {
	t.Helper()
	for i, want := range fd.Central(vals, f) {
		checkClose(t, fmt.Sprintf("%s of input %d", what, i), grads[i], want, tol)
	}
}

// EqualBits reports whether a and b hold bit-identical values (exported
// for the package graph_test files).
func EqualBits(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	})
}
