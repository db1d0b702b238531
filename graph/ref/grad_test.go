package ref

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The fused gradients against central differences of their forward.

func randn(r *rand.Rand, n int) []float64 {
	return Map(func(float64) float64 { return r.NormFloat64() }, make([]float64, n))
}

// dot is sum(a * b).
func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// checkGrad compares grads[a][i] with the central difference of loss in
// in[a][i], for every element of every input.
func checkGrad(t *testing.T, loss func() float64, in, grads [][]float64) {
	t.Helper()
	const h = 1e-6
	for a := range in {
		for i := range in[a] {
			x := in[a][i]
			in[a][i] = x + h
			up := loss()
			in[a][i] = x - h
			down := loss()
			in[a][i] = x
			if fd := (up - down) / (2 * h); math.Abs(fd-grads[a][i]) > 1e-6*(1+math.Abs(fd)) {
				t.Errorf("input %d[%d]: gradient %g, central difference %g", a, i, grads[a][i], fd)
			}
		}
	}
}

func TestAttentionGrad(t *testing.T) {
	s := AttentionShape{N: 1, C: 4, L: 5, Heads: 2}
	r := rand.New(rand.NewPCG(7, 8))
	in := [][]float64{randn(r, s.Size()), randn(r, s.Size()), randn(r, s.Size())}
	gy := randn(r, s.Size())
	dq, dk, dv := AttentionGrad(in[0], in[1], in[2], gy, s)
	checkGrad(t, func() float64 {
		o, _ := Attention(in[0], in[1], in[2], s)
		return dot(o, gy)
	}, in, [][]float64{dq, dk, dv})
}

func TestGroupNormGrad(t *testing.T) {
	s := GroupNormShape{N: 2, C: 4, HW: 5, Groups: 2, Eps: 1e-5}
	r := rand.New(rand.NewPCG(9, 10))
	in := [][]float64{randn(r, s.N*s.C*s.HW), randn(r, s.C), randn(r, s.C)} // x, gamma, beta
	gy := randn(r, s.N*s.C*s.HW)
	dx, dg, db := GroupNormGrad(in[0], gy, in[1], s)
	checkGrad(t, func() float64 {
		y, _, _ := GroupNorm(in[0], in[1], in[2], s)
		return dot(y, gy)
	}, in, [][]float64{dx, dg, db})
}

func TestConv2DGrads(t *testing.T) {
	g := Conv2DGeom{N: 2, C: 3, H: 5, W: 4, O: 2, KH: 3, KW: 2, Stride: [2]int{2, 1}, Pad: [2]int{1, 0}}
	r := rand.New(rand.NewPCG(11, 12))
	in := [][]float64{randn(r, g.N*g.C*g.H*g.W), randn(r, g.O*g.C*g.KH*g.KW), randn(r, g.O)} // x, w, bias
	gy := randn(r, g.N*g.O*g.OutH()*g.OutW())
	grads := [][]float64{Conv2DBackData(gy, in[1], g), Conv2DBackFilter(in[0], gy, g), Conv2DBiasGrad(gy, g)}
	checkGrad(t, func() float64 { return dot(Conv2D(in[0], in[1], in[2], g), gy) }, in, grads)
}
