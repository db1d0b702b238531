package vkexec

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// unetStep builds a small U-Net-shaped training step: conv, GroupNorm with
// affine, SiLU, attention at the bottom, average-pool down, nearest up, a
// skip connection, and the gradient of a squared loss w.r.t. every weight.
func unetStep(b, c, h int) (*graph.Graph, *graph.Node, []*graph.Node, map[string][]int) {
	g := graph.New()
	shapes := map[string][]int{
		"w_in": {c, 1, 3, 3}, "gn1_g": {1, c, 1, 1}, "gn1_b": {1, c, 1, 1},
		"w_down": {2 * c, c, 3, 3}, "w_mid": {2 * c, 2 * c, 1, 1},
		"w_up": {c, 2 * c, 3, 3}, "w_out": {1, 2 * c, 3, 3},
	}
	p := func(name string) *graph.Node { return g.Param(name, shapes[name]...) }
	x := g.Input("x", b, 1, h, h)
	target := g.Input("target", b, 1, h, h)
	pad1 := graph.Conv2DAttr{Pad: [2]int{1, 1}}
	h1 := graph.Conv2D(x, p("w_in"), pad1)
	h1 = graph.SiLU(graph.GroupNorm(h1, p("gn1_g"), p("gn1_b"), 2, 1e-5))
	d := graph.Conv2D(graph.AvgPool2x(h1), p("w_down"), pad1)
	d = graph.SiLU(d)
	att := graph.Attention(d, d, d, 2)
	m := graph.Add(d, graph.Conv2D(att, p("w_mid"), graph.Conv2DAttr{}))
	u := graph.Conv2D(graph.Upsample2x(m), p("w_up"), pad1)
	cat := graph.Concat(1, u, h1)
	y := graph.Conv2D(cat, p("w_out"), pad1)
	loss := graph.Mean(graph.Square(graph.Sub(y, target)))
	var params []*graph.Node
	for _, n := range g.Params() {
		params = append(params, n)
	}
	grads, err := graph.Grad(loss, params...)
	if err != nil {
		panic(err)
	}
	return g, loss, grads, shapes
}

func TestUNetShapedStepMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(15, 16))
	const b, c, h = 2, 4, 8
	g, loss, grads, shapes := unetStep(b, c, h)
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	ref := graph.NewReference()
	for name, s := range shapes {
		n := 1
		for _, v := range s {
			n *= v
		}
		vals := randv(r, n)
		for i := range vals {
			vals[i] *= 0.5
		}
		ref.Params[name] = vals
	}
	feeds := graph.Feeds{g.Lookup("x"): randv(r, b*h*h), g.Lookup("target"): randv(r, b*h*h)}
	p := compare(t, e, ref, feeds, 2e-4, 2e-5, append([]*graph.Node{loss}, grads...)...)
	plan := p.Plan()
	if float64(plan.ArenaBytes) > 0.5*float64(plan.SumBytes) {
		t.Errorf("planned peak %d bytes is above half the unplanned sum %d", plan.ArenaBytes, plan.SumBytes)
	}
	t.Logf("%d steps; %v", len(p.Program.Steps), plan)
}
