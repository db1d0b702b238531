package main

import (
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/sde"
)

// refNetScore evaluates a network score with the float64 reference executor
// (--device cpu-reference): slow, but it needs no Vulkan. A graph is built
// per batch size on first use.
func refNetScore(src scoreSource) sde.ScoreFunc {
	ref := graph.NewReference()
	for name, v := range src.Weights {
		f := make([]float64, len(v))
		for i, x := range v {
			f[i] = float64(x)
		}
		ref.Params[name] = f
	}
	type program struct{ x, t, out *graph.Node }
	progs := map[int]program{}
	return func(x []float64, t float64, out []float64) {
		b := len(x) / src.Dim
		p, ok := progs[b]
		if !ok {
			g := graph.New()
			xn, tn := g.Input("x", b, src.Dim), g.Input("t", b)
			p = program{xn, tn, src.Net.Build(g, xn, tn)}
			progs[b] = p
		}
		ts := make([]float64, b)
		for i := range ts {
			ts[i] = t
		}
		res, err := ref.Run(graph.Feeds{p.x: x, p.t: ts}, p.out)
		if err != nil {
			panic(err) // a graph that built once runs: only a bug gets here
		}
		copy(out, res[0])
	}
}
