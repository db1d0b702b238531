package vkexec

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// setFusion turns every fusion on or off and returns what restores them.
func setFusion(on bool) func() {
	ew, dense, conv, norm := fuseElementwise, fuseDense, fuseConvBias, fuseGroupNorm
	fuseElementwise, fuseDense, fuseConvBias, fuseGroupNorm = on, on, on, on
	return func() { fuseElementwise, fuseDense, fuseConvBias, fuseGroupNorm = ew, dense, conv, norm }
}

// denseGraph is a small MLP whose layers cover what the Dense fusion takes
// and what it must leave alone: SiLU, ELU and no activation after the
// bias; an input joined by a Concat (split into two products when the
// second slice's rows of w, 2 x 32 floats, start at a view offset); a
// transposed product with a [1, n] bias; a bias sum read twice (an
// activation and an output), a product that is also an output. Sizes are
// not multiples of the SGEMM tile. It returns the outputs, the feeds and
// the number of Dense layers the fusion should find.
func denseGraph(r *rand.Rand, ref *graph.Reference) ([]*graph.Node, graph.Feeds, int) {
	g := graph.New()
	x, xs := g.Input("x", 37, 5), g.Input("xs", 37, 2)
	param := func(name string, shape ...int) *graph.Node {
		ref.Params[name] = randv(r, graph.Shape(shape).Size())
		return g.Param(name, shape...)
	}
	dense := func(name string, h *graph.Node, in, out int) *graph.Node {
		return graph.Add(graph.MatMul(h, param(name+".w", in, out)), param(name+".b", out))
	}
	h := graph.SiLU(dense("l0", x, 5, 19))
	h = graph.ELU(dense("l1", graph.Concat(1, xs, h), 21, 32), 0.3)
	// op(x) = h^T^T: a product of the transposed copy, bias [1, 13].
	ht := graph.Transpose(h, 1, 0)
	tl := graph.Add(graph.MatMulT(ht, param("l2.w", 32, 13), true, false), param("l2.b", 1, 13))
	twice := dense("l3", graph.Tanh(tl), 13, 6) // read by Softplus and returned
	soft := graph.Softplus(twice)
	prod := graph.MatMul(soft, param("l4.w", 6, 2)) // returned: not fused
	out := graph.Add(prod, param("l4.b", 2))
	return []*graph.Node{out, twice, prod}, graph.Feeds{x: randv(r, 37*5), xs: randv(r, 37*2)}, 4
}

// TestFusedDense runs denseGraph with and without fusion against the
// reference executor and checks that the fusion found its Dense layers and
// cut the dispatches.
func TestFusedDense(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	defer setFusion(true)()
	if !kernels.New(dev).GemmEpilogue() {
		t.Skipf("%s's SGEMM has no epilogue", dev.Info.Name)
	}
	var dispatches [2]int
	for i, on := range []bool{false, true} {
		setFusion(on)
		ref := graph.NewReference()
		outs, feeds, want := denseGraph(rand.New(rand.NewPCG(41, 42)), ref)
		p := compare(t, New(dev), ref, feeds, 1e-4, 1e-5, outs...)
		dispatches[i], _ = p.seq.Stats()
		found, split := 0, 0
		for _, s := range p.segs {
			if d, ok := s.unit.(*denseRun); ok {
				found++
				split += len(d.parts) - 1
			}
		}
		if on && found != want {
			t.Errorf("%d Dense layers fused, want %d", found, want)
		}
		if wantSplit := 256%dev.ViewAlign() == 0; on && wantSplit != (split == 1) {
			t.Errorf("%d Concat slices split off, want the one split: %v (view alignment %d bytes)", split, wantSplit, dev.ViewAlign())
		}
		if !on && found != 0 {
			t.Errorf("%d Dense layers fused with the fusion off", found)
		}
	}
	if dispatches[1] >= dispatches[0] {
		t.Errorf("%d dispatches fused, %d not", dispatches[1], dispatches[0])
	}
}

// TestFusedDenseSumOfProducts: in act(x a + y b) with [1, n] products read
// only by the Add, each product looks like the other's bias; one of them is
// fused and the other recorded on its own, so every output is written.
func TestFusedDenseSumOfProducts(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	defer setFusion(true)()
	for _, on := range []bool{false, true} {
		setFusion(on)
		r := rand.New(rand.NewPCG(1, 2))
		ref := graph.NewReference()
		g := graph.New()
		x, y := g.Input("x", 1, 5), g.Input("y", 1, 3)
		param := func(name string, shape ...int) *graph.Node {
			ref.Params[name] = randv(r, graph.Shape(shape).Size())
			return g.Param(name, shape...)
		}
		out := graph.Tanh(graph.Add(graph.MatMul(x, param("a", 5, 7)), graph.MatMul(y, param("b", 3, 7))))
		compare(t, New(dev), ref, graph.Feeds{x: randv(r, 5), y: randv(r, 3)}, 1e-4, 1e-5, out)
	}
}
