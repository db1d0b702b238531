package kernels

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// ewiseTestProgram uses every instruction: three inputs (one a row repeated
// over the elements, one a column broadcast along rows of 5 and along
// rows of 8, a divisor that is whole vec4s), a constant,
// unary ops with scale, shift and parameter, binary ops, and two outputs,
// one of them in place of input 0.
func ewiseTestProgram(t *testing.T) *EwiseProgram {
	t.Helper()
	p := &EwiseProgram{}
	steps := []error{
		p.Load(0, 0, 1, 0),              // x[i]
		p.Load(1, 1, 1, 5),              // row[i % 5]
		p.Load(2, 2, 5, 1000000),        // col[i / 5]
		p.Const(3, 0.5),                 //
		p.Binary(4, Mul, 0, 1),          // x*row
		p.Unary(5, SiLU, 4, 2, 0.25, 0), // silu(2 x row + 0.25)
		p.Binary(6, Sub, 5, 2),          // - col
		p.Unary(7, ELU, 6, 1, 0, 0.3),
		p.Binary(8, Div, 7, 3), // / 0.5
		p.Unary(9, Exp, 2, -0.5, 0, 0),
		p.Binary(10, Add, 8, 9),
		p.Load(11, 2, 8, 1000000), // col[i / 8]
		p.Binary(12, Add, 10, 11),
		p.Store(0, 12),
		p.Store(1, 6),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestEwise(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(21, 22))
	p := ewiseTestProgram(t)
	if p.Inputs != 3 || p.Outputs != 2 || p.Len() != 15 {
		t.Fatalf("program of %d inputs, %d outputs, %d instructions", p.Inputs, p.Outputs, p.Len())
	}
	// 1 and 5 elements, one not a multiple of the group, and one that makes
	// chunked groups loop, then two multiples of 4 (vec4s, Tuning.ElemVec4);
	// in each grid (Tuning.Ewise): one element per
	// invocation (GPUs), chunks of lavapipe's SIMD width, and a width that
	// is not a multiple of it.
	for _, grid := range []Chunking{{}, {Groups: 2, Local: 8}, {Groups: 3, Local: 5}} {
		l.Tuning.Ewise = grid
		for _, n := range []int{1, 5, 5 * 77, 5 * 20011, 20 * 77, 20 * 20011} {
			t.Run(fmt.Sprintf("%+v/%d", grid, n), func(t *testing.T) {
				x, row, col := randn(rng, n, 1, 0), randn(rng, 5, 1, 0), randn(rng, (n+4)/5, 1, 0)
				want, err := EwiseRef(p, n, [][]float64{x, row, col})
				if err != nil {
					t.Fatal(err)
				}
				xb, rb, cb, ob := upload(t, l, x), upload(t, l, row), upload(t, l, col), newBuf(t, l, n)
				run(t, l, func(seq *vk.Sequence) error {
					return l.Ewise(seq, p, n, []*vk.Buffer{xb, rb, cb}, []*vk.Buffer{xb, ob})
				})
				vktest.Close(t, "ewise output 0 (in place)", download(t, xb, n), want[0], 1e-5, 1e-5)
				vktest.Close(t, "ewise output 1", download(t, ob, n), want[1], 1e-5, 1e-5)
			})
		}
	}
}

// TestEwiseErrors: bad registers, inputs, outputs and buffer counts are
// refused with errors that name them.
func TestEwiseErrors(t *testing.T) {
	p := &EwiseProgram{}
	for _, c := range []struct {
		err  error
		want string
	}{
		{p.Load(EwiseRegs, 0, 1, 0), "register 16"},
		{p.Load(0, EwiseInputs, 1, 0), "input 6"},
		{p.Load(0, 0, 0, 4), "divisor 0"},
		{p.Binary(0, Add, -1, 0), "register -1"},
		{p.Store(EwiseOutputs, 0), "output 3"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("got %v, want an error naming %q", c.err, c.want)
		}
	}
	l := testLib(t)
	q := ewiseTestProgram(t)
	b := newBuf(t, l, 8)
	run(t, l, func(seq *vk.Sequence) error {
		if err := l.Ewise(seq, q, 8, []*vk.Buffer{b}, []*vk.Buffer{b, b}); err == nil || !strings.Contains(err.Error(), "3 inputs and 2 outputs got 1 and 2") {
			t.Errorf("wrong buffer count: got %v", err)
		}
		if err := l.Ewise(seq, q, 9, []*vk.Buffer{b, b, b}, []*vk.Buffer{b, b}); err == nil || !strings.Contains(err.Error(), "output 0 holds 8 values, needs 9") {
			t.Errorf("short output: got %v", err)
		}
		return nil
	})
}

// TestEwiseEveryOp runs each unary and binary op as a one-op program on a
// multiple of 4 elements (ewise4's vec4 ops, elementwise_ops4.glsl) and on
// one element fewer (ewise's scalar ops), against EwiseRef: the two op
// tables must agree op by op.
func TestEwiseEveryOp(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(23, 24))
	const n4 = 4 * 37
	// a in [-2, 2] with one value past softplus's cut-off; pos in [0.5,
	// 2.5] (logs, roots, powers, divisors); b equal to a at even indices.
	a, pos, b := make([]float64, n4), make([]float64, n4), make([]float64, n4)
	for i := range a {
		a[i], pos[i], b[i] = 4*rng.Float64()-2, 0.5+2*rng.Float64(), 4*rng.Float64()-2
		if i%2 == 0 {
			b[i] = a[i]
		}
	}
	a[0] = 15
	check := func(name string, p *EwiseProgram, ins [][]float64) {
		t.Helper()
		for _, n := range []int{n4, n4 - 1} {
			want, err := EwiseRef(p, n, ins)
			if err != nil {
				t.Fatal(err)
			}
			var bufs []*vk.Buffer
			for _, in := range ins {
				bufs = append(bufs, upload(t, l, in))
			}
			out := newBuf(t, l, n)
			run(t, l, func(seq *vk.Sequence) error { return l.Ewise(seq, p, n, bufs, []*vk.Buffer{out}) })
			vktest.Close(t, fmt.Sprintf("%s over %d elements", name, n), download(t, out, n), want[0], 1e-5, 1e-5)
		}
	}
	for op := Identity; op <= Step; op++ {
		x := a
		if op == Log || op == Sqrt || op == Reciprocal {
			x = pos
		}
		p := &EwiseProgram{}
		for _, err := range []error{p.Load(0, 0, 1, 0), p.Unary(1, op, 0, 1.5, 0.25, 0.7), p.Store(0, 1)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		check(fmt.Sprintf("unary op %d", op), p, [][]float64{x})
	}
	for op := Add; op <= Equal; op++ {
		x, y := a, b
		switch op {
		case Pow:
			x = pos
		case Div:
			y = pos
		}
		p := &EwiseProgram{}
		for _, err := range []error{p.Load(0, 0, 1, 0), p.Load(1, 1, 1, 0), p.Binary(2, op, 0, 1), p.Store(0, 2)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		check(fmt.Sprintf("binary op %d", op), p, [][]float64{x, y})
	}
}
