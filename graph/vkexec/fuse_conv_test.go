package vkexec

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// convBiasGraph covers what the convolution-bias fusion takes and what it
// must leave alone: a 3x3 convolution with a [O, 1, 1] bias and a 1x1 one
// with a [1, O, 1, 1] bias whose sum is read twice (fused: the sum is the
// unit's output), a per-sample bias [N, O, 1, 1] (not one per channel), a
// convolution that is also an output (its value must be written), and the
// gradients of a loss through all of them. Spatial sizes are odd. It
// returns the outputs, the feeds and the number of fused convolutions.
func convBiasGraph(r *rand.Rand, ref *graph.Reference) ([]*graph.Node, graph.Feeds, int) {
	g := graph.New()
	x, e := g.Input("x", 2, 3, 9, 7), g.Input("e", 2, 5, 1, 1)
	param := func(name string, shape ...int) *graph.Node {
		ref.Params[name] = randv(r, graph.Shape(shape).Size())
		return g.Param(name, shape...)
	}
	w0, b0 := param("w0", 5, 3, 3, 3), param("b0", 5)
	w1, b1 := param("w1", 4, 5, 1, 1), param("b1", 1, 4, 1, 1)
	pad := graph.Conv2DAttr{Stride: [2]int{1, 1}, Pad: [2]int{1, 1}}
	h := graph.Add(graph.Conv2D(x, w0, pad), graph.Reshape(b0, 5, 1, 1)) // fused
	h = graph.SiLU(graph.Add(h, e))                                      // per sample: an add of its own
	s := graph.Add(graph.Conv2D(h, w1, graph.Conv2DAttr{}), b1)          // fused, read twice
	out := graph.Conv2D(graph.Tanh(s), param("w2", 2, 4, 3, 3), pad)     // an output: not fused
	y := graph.Add(out, param("b2", 2, 1, 1))
	loss := graph.Add(graph.Sum(graph.Square(y)), graph.Sum(graph.Square(s)))
	grads, err := graph.Grad(loss, g.Params()...)
	if err != nil {
		panic(err)
	}
	return append([]*graph.Node{y, s, out, loss}, grads...), graph.Feeds{x: randv(r, 2*3*9*7), e: randv(r, 2*5)}, 2
}

// TestFusedConvBias runs convBiasGraph with and without the fusion
// against the reference executor and checks the fusion found its
// convolutions.
func TestFusedConvBias(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	defer setFusion(true)()
	for _, on := range []bool{false, true} {
		setFusion(on)
		ref := graph.NewReference()
		outs, feeds, want := convBiasGraph(rand.New(rand.NewPCG(51, 52)), ref)
		p := compare(t, New(dev), ref, feeds, 1e-4, 1e-4, outs...)
		found := 0
		for _, s := range p.segs {
			if _, ok := s.unit.(*convBiasRun); ok {
				found++
			}
		}
		if on && found != want || !on && found != 0 {
			t.Errorf("fusion %v: %d convolutions fused with their bias, want %d", on, found, map[bool]int{true: want}[on])
		}
	}
}
