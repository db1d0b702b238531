package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// closeSum compares a float32 reduction with its float64 reference: the
// error allowed grows with the sum of the magnitudes of the terms (mag).
// Equal values (infinities included) always pass.
func closeSum(t *testing.T, name string, got []float32, want, mag []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	bad := 0
	for i := range got {
		g := float64(got[i])
		if g == want[i] || math.Abs(g-want[i]) <= 1e-5*mag[i]+1e-6 {
			continue
		}
		if bad < 5 {
			t.Errorf("%s[%d] = %g, want %g", name, i, g, want[i])
		}
		bad++
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values differ", name, bad, len(got))
	}
}

var reduceShapes = [][3]int{
	{1, 0, 1}, {1, 1, 1}, {0, 5, 3}, {4, 0, 3}, {1, 1000, 1}, {3, 77, 5},
	{2, 300, 3}, {1, 100003, 1}, {65, 130, 67}, {7, 1, 9}, {1, 1<<20 + 3, 1},
}

func TestReduce(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(7, 8))
	scratch := newBuf(t, l, MaxReduceScratch)
	for _, s := range reduceShapes {
		outer, axis, inner := s[0], s[1], s[2]
		if need := ReduceScratchLen(outer, axis, inner); need > MaxReduceScratch {
			t.Fatalf("%v needs %d scratch values, more than MaxReduceScratch", s, need)
		}
		x := randn(rng, outer*axis*inner, 1, 0.3)
		abs := make([]float64, len(x))
		for i := range x {
			abs[i] = math.Abs(x[i])
		}
		xb := upload(t, l, x)
		for op := ReduceSum; op <= ReduceSumSq; op++ {
			scale := 1.0
			if op == ReduceSum && axis > 0 {
				scale = 1 / float64(axis) // the mean
			}
			want := reduceRef(op, x, outer, axis, inner, scale)
			mag := reduceRef(ReduceSum, abs, outer, axis, inner, scale)
			if op == ReduceSumSq {
				mag = want
			}
			yb := newBuf(t, l, outer*inner)
			run(t, l, func(seq *vk.Sequence) error {
				if op == ReduceSum && axis > 0 {
					return l.Mean(seq, xb, yb, scratch, outer, axis, inner)
				}
				return l.Reduce(seq, op, xb, yb, scratch, outer, axis, inner, float32(scale))
			})
			closeSum(t, op.String(), download(t, yb, outer*inner), want, mag)
		}
	}
}

func TestReduceNeedsScratch(t *testing.T) {
	l := testLib(t)
	x, y := newBuf(t, l, 1000), newBuf(t, l, 1)
	seq := begin(t, l)
	defer seq.Destroy()
	if err := l.ReduceAll(seq, ReduceSum, x, y, nil, 1000, 1); err == nil {
		t.Error("a two-pass reduction ran without scratch")
	}
	if err := l.ReduceAll(seq, ReduceSum, x, y, newBuf(t, l, 3), 1000, 1); err == nil {
		t.Error("a two-pass reduction ran with a 3-value scratch")
	}
	if _, _, _, err := AxisView([]int{2, 3}, 2); err == nil {
		t.Error("AxisView accepted axis 2 of a rank-2 shape")
	}
	if o, n, i, _ := AxisView([]int{2, 3, 4, 5}, 2); o != 6 || n != 4 || i != 5 {
		t.Errorf("AxisView([2 3 4 5], 2) = %d %d %d", o, n, i)
	}
	if err := seq.End(); err != nil {
		t.Fatal(err)
	}
}

// TestReduceDeterministic: the same bits on a repeated run and with another
// workgroup width; three reductions share one scratch buffer in a sequence.
func TestReduceDeterministic(t *testing.T) {
	l := testLib(t)
	other := New(l.Dev)
	other.Tuning.Local1D = l.Tuning.Local1D / 2
	rng := rand.New(rand.NewPCG(9, 10))
	const n = 300007
	x := randn(rng, n, 1, 0)
	xb := upload(t, l, x)
	scratch := newBuf(t, l, MaxReduceScratch)
	var first [3]uint32
	for i, lib := range []*Lib{l, l, other} {
		var ys [3]*vk.Buffer
		for op := range ys {
			ys[op] = newBuf(t, l, 1)
		}
		run(t, l, func(seq *vk.Sequence) error {
			for op := ReduceSum; op <= ReduceSumSq; op++ {
				if err := lib.ReduceAll(seq, op, xb, ys[op], scratch, n, 1); err != nil {
					return err
				}
			}
			return nil
		})
		for op := ReduceSum; op <= ReduceSumSq; op++ {
			got := download(t, ys[op], 1)
			bits := math.Float32bits(got[0])
			if i == 0 {
				first[op] = bits
				want := reduceRef(op, x, 1, n, 1, 1)
				vktest.Close(t, op.String(), got, want, 1e-5, 1e-3)
			} else if bits != first[op] {
				t.Errorf("%s, run %d: %v, first run %v", op, i, got[0], math.Float32frombits(first[op]))
			}
		}
	}
}

// reduceRef is the float64 reference of Reduce over the middle axis of
// [outer, axis, inner], times scale.
func reduceRef(op ReduceOp, x []float64, outer, axis, inner int, scale float64) []float64 {
	shape, axes := []int{outer, axis, inner}, []int{1}
	var y []float64
	switch op {
	case ReduceMax:
		y = ref.ReduceMax(x, shape, axes)
	case ReduceSumSq:
		y = ref.ReduceSum(ref.Map(ref.Square, x), shape, axes)
	default:
		y = ref.ReduceSum(x, shape, axes)
	}
	for i := range y {
		y[i] *= scale
	}
	return y
}

// TestChannelSum: sums over samples and positions per channel, scaled, on
// sizes that are no multiple of the workgroup, in scalars and vec4s (hw a
// multiple of 4), with the shared-memory tree and with subgroupAdd,
// against a float64 loop.
func TestChannelSum(t *testing.T) {
	l := testLib(t)
	for _, sg := range []bool{false, true} {
		l.Tuning.NormSubgroup = sg
		testChannelSum(t, l)
	}
	// Past lavapipe's loop budget in one subgroup (33 samples of 127 x 127
	// positions): the workgroup widens.
	l.Tuning.LoopLimited = true
	n, c, hw := 33, 4, 127*127
	x := randn(rand.New(rand.NewPCG(73, 74)), n*c*hw, 1, 0.5)
	want := make([]float64, c)
	for i := range x {
		want[i/hw%c] += x[i]
	}
	if !l.ChannelSumFits(n, hw) {
		t.Fatal("33 samples of 127 x 127 do not fit")
	}
	xb, yb := upload(t, l, x), newBuf(t, l, c)
	run(t, l, func(seq *vk.Sequence) error { return l.ChannelSum(seq, xb, yb, n, c, hw, 1) })
	vktest.Close(t, "channel sum past the loop budget", download(t, yb, c), want, 1e-4, 1e-3)
}

func testChannelSum(t *testing.T, l *Lib) {
	rng := rand.New(rand.NewPCG(71, 72))
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 67}, {2, 7, 130}, {3, 4, 20}} {
		n, c, hw := s[0], s[1], s[2]
		x := randn(rng, n*c*hw, 1, 0.5)
		want := make([]float64, c)
		for i := 0; i < n; i++ {
			for ch := 0; ch < c; ch++ {
				for j := 0; j < hw; j++ {
					want[ch] += 0.25 * x[(i*c+ch)*hw+j]
				}
			}
		}
		xb, yb := upload(t, l, x), newBuf(t, l, c)
		run(t, l, func(seq *vk.Sequence) error { return l.ChannelSum(seq, xb, yb, n, c, hw, 0.25) })
		vktest.Close(t, fmt.Sprintf("channel sum %v", s), download(t, yb, c), want, 1e-5, 1e-5)
	}
}
