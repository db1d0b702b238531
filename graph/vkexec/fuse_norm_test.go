package vkexec

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// groupNormGraph covers what the GroupNorm fusion takes and what it must
// leave alone: a GroupNorm with its affine map and SiLU, one with ELU, one
// whose affine result is also an output (fused without the activation),
// and the gradients of a loss through the first (the backward reads the
// normalised values: not fused). Spatial sizes are odd. It returns the
// outputs, the feeds and the number of fused GroupNorms.
func groupNormGraph(r *rand.Rand, ref *graph.Reference, withGrads bool) ([]*graph.Node, graph.Feeds, int) {
	g := graph.New()
	x := g.Input("x", 2, 8, 5, 3)
	param := func(name string, shape ...int) *graph.Node {
		ref.Params[name] = randv(r, graph.Shape(shape).Size())
		return g.Param(name, shape...)
	}
	gn := func(name string, h *graph.Node) *graph.Node {
		return graph.GroupNorm(h, param(name+".w", 8), param(name+".b", 8), 4, 1e-6)
	}
	a := graph.SiLU(gn("a", x))
	b := graph.ELU(gn("b", graph.Tanh(x)), 0.3)
	c := gn("c", graph.Square(x)) // an output, and read by Softplus
	outs := []*graph.Node{a, b, c, graph.Softplus(c)}
	if !withGrads {
		return outs, graph.Feeds{x: randv(r, 2*8*5*3)}, 3
	}
	grads, err := graph.Grad(graph.Sum(graph.Square(a)), g.Params()...)
	if err != nil {
		panic(err)
	}
	return append(outs, grads...), graph.Feeds{x: randv(r, 2*8*5*3)}, 2
}

// TestFusedGroupNorm runs groupNormGraph, with and without gradients, with
// the fusions on and off against the reference executor, and checks that
// the fusion found its GroupNorms.
func TestFusedGroupNorm(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	defer setFusion(true)()
	for _, grads := range []bool{false, true} {
		for _, on := range []bool{false, true} {
			setFusion(on)
			ref := graph.NewReference()
			outs, feeds, want := groupNormGraph(rand.New(rand.NewPCG(61, 62)), ref, grads)
			p := compare(t, New(dev), ref, feeds, 1e-4, 1e-4, outs...)
			found := 0
			for _, s := range p.segs {
				if _, ok := s.unit.(*groupNormRun); ok {
					found++
				}
			}
			if !on {
				want = 0
			}
			if found != want {
				t.Errorf("gradients %v, fusion %v: %d GroupNorms fused, want %d", grads, on, found, want)
			}
		}
	}
}
