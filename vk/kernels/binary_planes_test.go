package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestPlaneBroadcast(t *testing.T) {
	for _, c := range []struct {
		a, b     []int
		div, mod int
		ok       bool
	}{
		{[]int{2, 3, 5, 7}, []int{3, 1, 1}, 35, 3, true},
		{[]int{2, 3, 5, 7}, []int{2, 3, 1, 1}, 35, 6, true},
		{[]int{2, 3, 5, 7}, []int{1, 3, 5, 1}, 7, 15, true},
		{[]int{2, 3, 5, 7}, []int{5, 7}, 1, 35, true},
		{[]int{2, 3, 5, 7}, []int{2, 1, 5, 1}, 0, 0, false}, // two ranges
		{[]int{2, 3, 5, 7}, []int{1}, 0, 0, false},          // a scalar
		{[]int{2, 3}, []int{4, 1}, 0, 0, false},
	} {
		div, mod, ok := planeBroadcast(c.a, c.b)
		if ok != c.ok || ok && (div != c.div || mod != c.mod) {
			t.Errorf("planeBroadcast(%v, %v) = %d, %d, %v, want %d, %d, %v", c.a, c.b, div, mod, ok, c.div, c.mod, c.ok)
		}
	}
}

// TestBinaryPlanes: Binary's paths for channel broadcasts, binary_chunk's
// plane mode (CPU-type tuning) and binary_planes.comp (GPU-type), against
// BinaryRef, on planes of sizes that are and are not whole vec4s, with the
// small operand on either side.
func TestBinaryPlanes(t *testing.T) {
	l := testLib(t)
	cpu := l.Tuning
	cpu.Elementwise = presetTuning("cpu", &l.Dev.Info).Elementwise
	gpu := cpu
	gpu.Elementwise.Groups = 0
	for _, tu := range []struct {
		name   string
		tuning Tuning
	}{{"binary_chunk", cpu}, {"binary_planes", gpu}} {
		t.Run(tu.name, func(t *testing.T) {
			l.Tuning = tu.tuning
			binaryPlanesCases(t, l)
		})
	}
}

func binaryPlanesCases(t *testing.T, l *Lib) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, s := range []struct{ a, b []int }{
		{[]int{2, 3, 5, 7}, []int{3, 1, 1}},
		{[]int{3, 5, 4, 8}, []int{5, 1, 1}},
		{[]int{3, 5, 4, 8}, []int{3, 5, 1, 1}},
		{[]int{5, 1, 1}, []int{3, 5, 4, 4}},
		{[]int{3, 9, 7, 7}, []int{1, 9, 7, 1}},
		{[]int{2, 3, 301, 7}, []int{2, 3, 1, 1}}, // chunks end inside a plane
	} {
		for _, op := range []BinaryOp{Add, Sub, Mul, Max} {
			a, b := randn(rng, prod(s.a), 1, 0), randn(rng, prod(s.b), 1, 0)
			want, err := BinaryRef(op, a, b, s.a, s.b)
			if err != nil {
				t.Fatal(err)
			}
			ab, bb, ob := upload(t, l, a), upload(t, l, b), newBuf(t, l, len(want))
			run(t, l, func(seq *vk.Sequence) error { return l.Binary(seq, op, ab, bb, ob, s.a, s.b) })
			vktest.Close(t, op.String(), download(t, ob, len(want)), want, 1e-6, 1e-6)
		}
	}
}
