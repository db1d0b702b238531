package graph

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/graph/ref"
)

// Attention is multi-head self-attention over the spatial positions of
// q, k, v [N,C,L...] (e.g. NCHW with L = H*W positions): for each head h
// of the d = C/heads channels [h d, (h+1) d),
//
//	out[:, i] = sum_j softmax_j(q[:, i] . k[:, j] / sqrt(d)) v[:, j].
//
// It is one fused op; the 1x1 projections and the residual are separate.
func Attention(q, k, v *Node, heads int) *Node {
	return graphOf(q, k, v).build(OpAttention, AttentionAttr{Heads: heads}, q, k, v)
}

// AttentionGrad is the gradient of Attention for the output gradient gy:
// one fused op returning [3, N, C, L...], the gradients of q, k and v
// stacked (Grad builds it; exported for tests and benchmarks).
func AttentionGrad(q, k, v, gy *Node, heads int) *Node {
	return graphOf(q, k, v, gy).build(OpAttentionGrad, AttentionAttr{Heads: heads}, q, k, v, gy)
}

func inferAttention(attr any, in []Shape) (Shape, error) {
	q := in[0]
	if len(q) < 3 {
		return nil, fmt.Errorf("input %v is not [N,C,L...]", q)
	}
	if err := attentionShape(q, attr).Check(); err != nil {
		return nil, fmt.Errorf("input %v: %w", q, err)
	}
	for _, s := range in[1:] {
		if !s.Equal(q) {
			return nil, fmt.Errorf("shapes %v and %v differ", q, s)
		}
	}
	if len(in) == 4 { // AttentionGrad
		return append(Shape{3}, q...), nil
	}
	return q.Clone(), nil
}

// AttentionShape returns the shape of an Attention or AttentionGrad node.
func AttentionShape(n *Node) ref.AttentionShape { return attentionShape(n.inputs[0].shape, n.attr) }

// attentionShape views q [N, C, L...] as [N, C, L], the positions flattened.
func attentionShape(q Shape, attr any) ref.AttentionShape {
	return ref.AttentionShape{N: q[0], C: q[1], L: q.Size() / (q[0] * q[1]), Heads: attr.(AttentionAttr).Heads}
}

func forwardAttention(_ *runCtx, n *Node, in []tensor, out []float64) {
	s := AttentionShape(n)
	q, k, v := in[0].data, in[1].data, in[2].data
	if n.kind == OpAttention {
		o, _ := ref.Attention(q, k, v, s)
		copy(out, o)
		return
	}
	dq, dk, dv := ref.AttentionGrad(q, k, v, in[3].data, s)
	for i, g := range [][]float64{dq, dk, dv} {
		copy(out[i*s.Size():], g)
	}
}

// attentionComposite builds Attention from primitive ops.
func attentionComposite(n *Node, in []*Node) *Node {
	h := n.attr.(AttentionAttr).Heads
	s := in[0].shape
	d := s[1] / h
	split := func(x *Node) *Node { return Reshape(x, s[0], h, d, -1) } // [N,h,d,L]
	q, k, v := split(in[0]), split(in[1]), split(in[2])
	sc := Scale(MatMulT(q, k, true, false), 1/math.Sqrt(float64(d))) // [N,h,L,L]
	e := Exp(Sub(sc, ReduceMax(sc, []int{3}, true)))
	p := Div(e, ReduceSum(e, []int{3}, true))
	return Reshape(MatMulT(v, p, false, true), s...)
}

func init() {
	register(OpAttention, opDef{arity: 3, infer: inferAttention, forward: forwardAttention,
		vjp: func(n, gy *Node, _ []bool) []*Node {
			in := n.inputs
			ag := AttentionGrad(in[0], in[1], in[2], gy, n.attr.(AttentionAttr).Heads)
			gs := make([]*Node, 3)
			for i := range gs {
				gs[i] = Reshape(SliceAxis(ag, 0, i, i+1), in[i].shape...)
			}
			return gs
		},
		composite: attentionComposite,
	})
	register(OpAttentionGrad, opDef{arity: 4, infer: inferAttention, forward: forwardAttention,
		vjp: vjpViaComposite,
		composite: func(n *Node, in []*Node) *Node {
			gs := gradComposite(OpAttention, n.attr, in[:3], in[3])
			for i, g := range gs {
				gs[i] = Reshape(g, append(Shape{1}, g.shape...)...)
			}
			return Concat(0, gs...)
		},
	})
}
