package graph

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/graph/rng"
)

// Random draws are graph nodes whose values come from the counter-based
// Philox generator of package rng with key (Seed, stream, Step): the run
// supplies Seed and Step, the node its stream. Element i depends only on
// the key and i, so every executor draws the same numbers. Give every
// random node of a graph its own stream unless they should share values.

// RandUniform draws uniform values in (0, 1).
func (g *Graph) RandUniform(stream uint32, shape ...int) *Node {
	return g.build(OpRandUniform, RandAttr{Shape: Shape(shape).Clone(), Stream: stream})
}

// RandNormal draws standard normal values.
func (g *Graph) RandNormal(stream uint32, shape ...int) *Node {
	return g.build(OpRandNormal, RandAttr{Shape: Shape(shape).Clone(), Stream: stream})
}

// RandRademacher draws -1 or +1 with equal probability (the usual
// projection of sliced score matching and Hutchinson traces).
func (g *Graph) RandRademacher(stream uint32, shape ...int) *Node {
	return g.build(OpRandRademacher, RandAttr{Shape: Shape(shape).Clone(), Stream: stream})
}

// Dropout zeroes each element of x with probability rate and scales the
// others by 1/(1-rate). Element i is dropped when the Philox uniform i of
// the stream is below rate, so the gradient (a Dropout of the same stream)
// sees the same mask. Build the graph without Dropout for evaluation.
func Dropout(x *Node, rate float64, stream uint32) *Node {
	return x.graph.build(OpDropout, DropoutAttr{Rate: rate, Stream: stream}, x)
}

func inferRand(attr any, _ []Shape) (Shape, error) { return attr.(RandAttr).Shape.Clone(), nil }

// draws are the random ops' generators.
var draws = map[OpKind]func(dst []float64, k rng.Key){
	OpRandUniform: rng.Uniform, OpRandNormal: rng.Normal, OpRandRademacher: rng.Rademacher,
}

func forwardRand(c *runCtx, n *Node, _ []tensor, out []float64) {
	draws[n.kind](out, rng.Key{Seed: c.seed, Stream: n.attr.(RandAttr).Stream, Step: c.step})
}

func forwardDropout(c *runCtx, n *Node, in []tensor, out []float64) {
	a := n.attr.(DropoutAttr)
	copy(out, ref.Dropout(in[0].data, a.Rate, rng.Key{Seed: c.seed, Stream: a.Stream, Step: c.step}))
}

func init() {
	for k := range draws {
		register(k, opDef{arity: 0, infer: inferRand, forward: forwardRand, vjp: noGrad})
	}
	register(OpDropout, opDef{arity: 1,
		infer: func(a any, in []Shape) (Shape, error) {
			if r := a.(DropoutAttr).Rate; r < 0 || r >= 1 {
				return nil, fmt.Errorf("rate %g not in [0, 1) for input %v", r, in[0])
			}
			return in[0].Clone(), nil
		},
		forward: forwardDropout,
		vjp: func(n, g *Node, _ []bool) []*Node {
			a := n.attr.(DropoutAttr)
			return []*Node{Dropout(g, a.Rate, a.Stream)}
		},
	})
}
