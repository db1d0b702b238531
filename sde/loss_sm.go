package sde

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/rng"
)

// tileRows repeats x [B, ...] k times along a new leading axis and merges
// it with the batch: [k*B, ...], copy j holding rows j*B .. j*B+B-1.
func tileRows(x *graph.Node, k int) *graph.Node {
	if k == 1 {
		return x
	}
	sh := x.Shape()
	one := append([]int{1}, sh...)
	rep := append([]int{k}, sh...)
	flat := append([]int{k * sh[0]}, sh[1:]...)
	return graph.Reshape(graph.BroadcastTo(graph.Reshape(x, one...), rep...), flat...)
}

// smWeight is the per-sample weight of the score-matching objectives: std^2
// (or g^2 with likelihood weighting), times 2/D with reduce_mean, so that
// they match dsm's scale (see the package conventions in loss.go).
func smWeight(s SDE, t, std *graph.Node, c LossConfig, d int) *graph.Node {
	var w *graph.Node
	if c.LikelihoodWeighting {
		w = DiffusionSqNodes(s, t)
	} else {
		w = graph.Square(std)
	}
	if c.ReduceMean {
		w = graph.Scale(w, 2/float64(d))
	}
	return w
}

// scoreAndVJP evaluates the model on x_t repeated k times and returns the
// score [k*B, D] and the vector-Jacobian product cot^T ds/dx per row.
func scoreAndVJP(net GraphScore, ln *LossNodes, k int, cot *graph.Node) (*graph.Node, error) {
	g := ln.Xt.Graph()
	xk, tk := tileRows(ln.Xt, k), tileRows(ln.T, k)
	ln.Score = net.Build(g, xk, tk)
	if err := g.Err(); err != nil {
		return nil, err
	}
	if !ln.Score.Shape().Equal(xk.Shape()) {
		return nil, fmt.Errorf("sde: loss: the score model returned %v, want %v", ln.Score, xk.Shape())
	}
	gs, err := graph.VJP([]*graph.Node{ln.Score}, []*graph.Node{cot}, []*graph.Node{xk})
	if err != nil {
		return nil, err
	}
	return gs[0], nil
}

// rowDot returns sum_d a*b per row: [k*B, D] -> [k, B].
func rowDot(a, b *graph.Node, k int) *graph.Node {
	return graph.Reshape(graph.ReduceSum(graph.Mul(a, b), []int{1}, false), k, -1)
}

// ExactSMLoss is exact (Hyvarinen) score matching on the perturbed data:
// tr(ds/dx) by D vector-Jacobian products with one-hot cotangents, done as
// one backward pass over the batch repeated D times. For low D only.
func ExactSMLoss(s SDE, net GraphScore, x0 *graph.Node, c LossConfig) (*LossNodes, error) {
	c = c.normalized()
	b, d, err := batchDims(x0)
	if err != nil {
		return nil, err
	}
	g := x0.Graph()
	ln, std := perturb(s, x0, c)
	eye := make([]float64, d*d)
	for i := range d {
		eye[i*d+i] = 1
	}
	// Copy i of the batch gets cotangent e_i in every row.
	cot := graph.Reshape(graph.BroadcastTo(g.Const(eye, d, 1, d), d, b, d), d*b, d)
	gv, err := scoreAndVJP(net, ln, d, cot)
	if err != nil {
		return nil, err
	}
	trace := graph.ReduceSum(rowDot(gv, cot, d), []int{0}, false) // [B]
	// ||s||^2/2, averaged over the D identical copies.
	sq := graph.Scale(graph.ReduceMean(rowDot(ln.Score, ln.Score, d), []int{0}, false), 0.5)
	ln.PerSample = graph.Mul(graph.Add(trace, sq), smWeight(s, ln.T, std, c, d))
	return finish(ln, graph.Shape{d * b, d})
}

// SlicedSMLoss is sliced score matching (c.Loss "ssm") or its
// variance-reduced form ("ssm_vr") on the perturbed data, with
// c.NParticles projections per sample drawn per c.Projection. The
// particles are evaluated as one batch of P*B rows.
func SlicedSMLoss(s SDE, net GraphScore, x0 *graph.Node, c LossConfig) (*LossNodes, error) {
	c = c.normalized()
	b, d, err := batchDims(x0)
	if err != nil {
		return nil, err
	}
	if c.Loss != LossSSM && c.Loss != LossSSMVR {
		return nil, fmt.Errorf("sde: SlicedSMLoss: loss %q is not ssm or ssm_vr", c.Loss)
	}
	if err := c.Validate(nil); err != nil {
		return nil, err
	}
	g := x0.Graph()
	p := c.NParticles
	ln, std := perturb(s, x0, c)
	stream := rng.StreamLossProj + c.StreamOffset
	switch c.Projection {
	case ProjRademacher:
		ln.V = g.RandRademacher(stream, p, b, d)
	case ProjGaussian:
		ln.V = g.RandNormal(stream, p, b, d)
	case ProjSphere:
		v := g.RandNormal(stream, p, b, d)
		norm := graph.Sqrt(graph.ReduceSum(graph.Square(v), []int{2}, true))
		ln.V = graph.Div(graph.Scale(v, math.Sqrt(float64(d))), norm)
	}
	v := graph.Reshape(ln.V, p*b, d)
	gv, err := scoreAndVJP(net, ln, p, v)
	if err != nil {
		return nil, err
	}
	vjv := graph.ReduceMean(rowDot(gv, v, p), []int{0}, false) // [B]
	var sq *graph.Node
	if c.Loss == LossSSMVR {
		sq = rowDot(ln.Score, ln.Score, p)
	} else {
		sq = graph.Square(rowDot(ln.Score, v, p))
	}
	sq = graph.Scale(graph.ReduceMean(sq, []int{0}, false), 0.5)
	ln.PerSample = graph.Mul(graph.Add(vjv, sq), smWeight(s, ln.T, std, c, d))
	return finish(ln, graph.Shape{p * b, d})
}
