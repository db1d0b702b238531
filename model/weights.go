package model

import (
	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/sde"
)

// ReferenceScore evaluates net with the given weights (by parameter name) by
// the float64 reference executor, on d-dim data: slow, but it needs no
// device. A graph is built per batch size on first use and kept.
func ReferenceScore(net ScoreNet, weights map[string][]float32, d int) sde.ScoreFunc {
	ref := graph.NewReference()
	for name, v := range weights {
		f := make([]float64, len(v))
		for i, x := range v {
			f[i] = float64(x)
		}
		ref.Params[name] = f
	}
	type program struct{ x, t, out *graph.Node }
	progs := map[int]program{}
	return func(x []float64, t float64, out []float64) {
		b := len(x) / d
		p, ok := progs[b]
		if !ok {
			g := graph.New()
			xn, tn := g.Input("x", b, d), g.Input("t", b)
			p = program{xn, tn, net.Build(g, xn, tn)}
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

// CheckpointParams names specs' parameters and shapes for
// checkpoint.Checkpoint.Weights.
func CheckpointParams(specs []ParamSpec) []checkpoint.Param {
	out := make([]checkpoint.Param, len(specs))
	for i, p := range specs {
		out[i] = checkpoint.Param{Name: p.Name, Shape: p.Shape}
	}
	return out
}
