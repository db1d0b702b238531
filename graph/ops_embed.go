package graph

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/graph/rng"
)

// FourierEmbed returns the Fourier features of t[...] at the frequencies
// w[H]: a tensor [..., 2H] holding sin(2 pi t w_j) for j < H followed by
// cos(2 pi t w_j). It is the op behind both time embeddings below.
func FourierEmbed(t, w *Node) *Node { return graphOf(t, w).build(OpFourierEmbed, nil, t, w) }

// GaussianFourierEmbed is the Gaussian Fourier time embedding of score_sde
// (NCSN++, continuous VE): w holds scale * N(0, 1) values, fixed (a Const,
// see GaussianFourierWeights) or trainable (a Param). Note that score_sde
// applies it to log(sigma) rather than t for VE models.
func GaussianFourierEmbed(t, w *Node) *Node { return FourierEmbed(t, w) }

// GaussianFourierWeights returns n frequencies scale * N(0,1) drawn from
// the Philox generator with the given seed (stream 0, step 0).
func GaussianFourierWeights(n int, scale float64, seed uint64) []float64 {
	w := make([]float64, n)
	rng.Normal(w, rng.Key{Seed: seed})
	for i := range w {
		w[i] *= scale
	}
	return w
}

// SinusoidalEmbed is the transformer / DDPM time embedding of dim (even)
// features used by score_sde for VP models: [sin(t f_j), cos(t f_j)] with
// f_j = maxPositions^(-j/(dim/2-1)), j < dim/2. score_sde uses
// maxPositions 10000 and t scaled to [0, 999].
func SinusoidalEmbed(t *Node, dim int, maxPositions float64) *Node {
	g := t.graph
	h := dim / 2
	if dim%2 != 0 || h < 2 {
		g.setErr(fmt.Errorf("graph: SinusoidalEmbed: dim %d must be even and >= 4", dim))
		return g.poisoned()
	}
	w := make([]float64, h)
	for j := range w {
		w[j] = math.Exp(-math.Log(maxPositions)*float64(j)/float64(h-1)) / (2 * math.Pi)
	}
	return FourierEmbed(t, g.Const(w, h))
}

func inferFourier(_ any, in []Shape) (Shape, error) {
	if len(in[1]) != 1 {
		return nil, fmt.Errorf("frequencies %v must be 1-D (times %v)", in[1], in[0])
	}
	return append(in[0].Clone(), 2*in[1][0]), nil
}

func forwardFourier(_ *runCtx, n *Node, in []tensor, out []float64) {
	copy(out, ref.FourierEmbed(in[0].data, in[1].data))
}

// vjpFourier uses d/da [sin a, cos a] = [cos a, -sin a], read off the
// node's own value, so that it is differentiable again.
func vjpFourier(n, g *Node, need []bool) []*Node {
	t, w := n.inputs[0], n.inputs[1]
	h := w.shape[0]
	last := len(n.shape) - 1
	sin, cos := SliceAxis(n, last, 0, h), SliceAxis(n, last, h, 2*h)
	gs, gc := SliceAxis(g, last, 0, h), SliceAxis(g, last, h, 2*h)
	r := Sub(Mul(gs, cos), Mul(gc, sin)) // dL/da, a = 2 pi t w
	var gt, gw *Node
	if need[0] {
		gt = ReduceSum(Mul(r, Scale(w, 2*math.Pi)), []int{last}, false)
	}
	if need[1] {
		tt := Reshape(Scale(t, 2*math.Pi), append(t.shape.Clone(), 1)...)
		gw = sumTo(Mul(r, tt), w.shape)
	}
	return []*Node{gt, gw}
}

func init() {
	register(OpFourierEmbed, opDef{arity: 2, infer: inferFourier, forward: forwardFourier, vjp: vjpFourier})
}
