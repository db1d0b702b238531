package kernels

import (
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
