package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestUnary(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for op := Identity; op <= Step; op++ {
		for _, n := range []int{0, 1, 67, 1000} {
			x := randn(rng, n, 2, 0)
			if op == Log || op == Sqrt {
				for i := range x {
					x[i] = x[i]*x[i] + 0.1
				}
			}
			alpha, beta, gamma := 1.5, 0.25, 0.7
			want := UnaryRef(op, x, alpha, beta, gamma)
			xb, yb := upload(t, l, x), newBuf(t, l, n)
			run(t, l, func(seq *vk.Sequence) error {
				return l.Unary(seq, op, xb, yb, n, float32(alpha), float32(beta), float32(gamma))
			})
			vktest.Close(t, op.String(), download(t, yb, n), want, 2e-5, 2e-6)
		}
	}
}

func TestBinaryBroadcast(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := []struct{ a, b []int }{
		{[]int{}, []int{}},
		{[]int{7}, []int{7}},
		{[]int{5, 3}, []int{3}},
		{[]int{5, 1}, []int{1, 3}},
		{[]int{2, 3, 5, 7}, []int{3, 1, 1}},
		{[]int{1}, []int{4, 65}},
		{[]int{3, 2, 1, 5, 7}, []int{3, 2, 1, 5, 7}}, // rank 5, no broadcast: one flat run
	}
	for op := Add; op <= Equal; op++ {
		for _, s := range shapes {
			a, b := randn(rng, prod(s.a), 1, 0), randn(rng, prod(s.b), 1, 0)
			if op == Div || op == Pow {
				for i := range b {
					b[i] = b[i]*b[i] + 0.5
				}
				for i := range a {
					a[i] = a[i]*a[i] + 0.1
				}
			}
			want, err := BinaryRef(op, a, b, s.a, s.b)
			if err != nil {
				t.Fatal(err)
			}
			ab, bb, ob := upload(t, l, a), upload(t, l, b), newBuf(t, l, len(want))
			run(t, l, func(seq *vk.Sequence) error { return l.Binary(seq, op, ab, bb, ob, s.a, s.b) })
			vktest.Close(t, op.String(), download(t, ob, len(want)), want, 1e-5, 1e-6)
		}
	}
	if _, _, _, err := BroadcastStrides([]int{3, 2}, []int{4}); err == nil {
		t.Error("shapes [3 2] and [4] were broadcast")
	}
}

func TestFill(t *testing.T) {
	l := testLib(t)
	for _, n := range []int{1, 65, 1000} {
		b := newBuf(t, l, n)
		run(t, l, func(seq *vk.Sequence) error { return l.Fill(seq, b, n, -1.25) })
		want := make([]float64, n)
		for i := range want {
			want[i] = -1.25
		}
		vktest.Close(t, "fill", download(t, b, n), want, 0, 0)
	}
}

// TestElementwiseChunks checks the CPU-type variants of Unary and Binary:
// sizes around the SIMD-pass, unroll-step and chunk boundaries, vec4 and
// float units, in place, and the repeat indexings with blocks that are not
// whole vec4s (smaller and larger than a SIMD pass).
func TestElementwiseChunks(t *testing.T) {
	l := testLib(t)
	if !l.Dev.Info.IsCPU() {
		t.Skip("the chunked variants are tuned for CPU-type devices only")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	type shape struct{ a, b []int }
	for _, v := range []struct {
		groups, local, unroll int
		vec4                  bool
	}{{1, 8, 1, true}, {2, 8, 4, true}, {3, 16, 2, true}, {5, 8, 4, false}, {2, 8, 1, false}, {64, 8, 2, true}} {
		name := fmt.Sprintf("groups=%d/local=%d/unroll=%d/vec4=%v", v.groups, v.local, v.unroll, v.vec4)
		set := func() func() {
			saved := l.Tuning
			l.Tuning.Elementwise, l.Tuning.ElemVec4 = Chunking{Groups: v.groups, Local: v.local, Unroll: v.unroll}, v.vec4
			return func() { l.Tuning = saved }
		}
		t.Run(name, func(t *testing.T) {
			defer set()()
			for _, n := range []int{1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 65, 4*8*4*5 - 1, 4 * 8 * 4 * 5, 4*8*4*5 + 3, 8*4*5 + 1, 1<<20 + 5} {
				for _, op := range []UnaryOp{SiLU, Identity, ELU, Step, Softplus} {
					x := randn(rng, n, 8, 0)
					want := UnaryRef(op, x, 1.5, 0.25, 0.7)
					xb, yb := upload(t, l, x), newBuf(t, l, n)
					run(t, l, func(seq *vk.Sequence) error {
						if err := l.Unary(seq, op, xb, yb, n, 1.5, 0.25, 0.7); err != nil {
							return err
						}
						return l.Unary(seq, op, xb, xb, n, 1.5, 0.25, 0.7)
					})
					vktest.Close(t, fmt.Sprintf("%v n=%d", op, n), download(t, yb, n), want, 2e-5, 2e-6)
					vktest.Close(t, fmt.Sprintf("%v n=%d in place", op, n), download(t, xb, n), want, 2e-5, 2e-6)
				}
			}
			shapes := []shape{
				{[]int{4*8*4*5 + 3}, []int{4*8*4*5 + 3}},
				{[]int{1<<20 + 1}, []int{1<<20 + 1}},
				{[]int{10000, 128}, []int{128}},
				{[]int{128}, []int{10000, 128}},
				{[]int{37, 3}, []int{3}},
				{[]int{1}, []int{4, 65}},
				{[]int{100, 5}, []int{1, 5}},
				{[]int{9, 13}, []int{13}},
				{[]int{3, 4}, []int{4}},
				{[]int{50, 4}, []int{50, 4}},
				{[]int{7, 3, 12}, []int{3, 12}},
				{[]int{2, 9, 13}, []int{9, 13}},
				{[]int{1000, 67}, []int{67}},
				{[]int{3, 2000}, []int{2000}},
				{[]int{4, 1003}, []int{1, 1003}},
				{[]int{2, 2, 3}, []int{2, 2, 3}},
			}
			for _, s := range shapes {
				for _, op := range []BinaryOp{Add, Sub, Div, Equal} {
					a, b := randn(rng, prod(s.a), 1, 0), randn(rng, prod(s.b), 1, 0)
					if op == Equal {
						for i := range a {
							if i%3 == 0 {
								a[i] = b[i%len(b)]
							}
						}
					}
					if op == Div {
						for i := range b {
							b[i] = b[i]*b[i] + 0.5
						}
					}
					want, err := BinaryRef(op, a, b, s.a, s.b)
					if err != nil {
						t.Fatal(err)
					}
					ab, bb, ob := upload(t, l, a), upload(t, l, b), newBuf(t, l, len(want))
					run(t, l, func(seq *vk.Sequence) error { return l.Binary(seq, op, ab, bb, ob, s.a, s.b) })
					vktest.Close(t, fmt.Sprintf("%v %v %v", op, s.a, s.b), download(t, ob, len(want)), want, 1e-5, 1e-6)
					// In place into the full-size operand.
					if len(a) == len(want) {
						run(t, l, func(seq *vk.Sequence) error { return l.Binary(seq, op, ab, bb, ab, s.a, s.b) })
						vktest.Close(t, fmt.Sprintf("%v %v %v in place", op, s.a, s.b), download(t, ab, len(want)), want, 1e-5, 1e-6)
					}
				}
			}
		})
	}
}
