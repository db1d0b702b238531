package graph

import (
	"fmt"
	"math"
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
	h := attr.(AttentionAttr).Heads
	q := in[0]
	if len(q) < 3 || h < 1 || q[1]%h != 0 {
		return nil, fmt.Errorf("%d heads for input %v (need [N,C,L...], C divisible by heads)", h, q)
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

func forwardAttention(_ *runCtx, nd *Node, in []tensor, out []float64) {
	a := nd.attr.(AttentionAttr)
	s := in[0].shape
	N, C := s[0], s[1]
	L := s.Size() / (N * C)
	d := C / a.Heads
	scale := 1 / math.Sqrt(float64(d))
	q, k, v := in[0].data, in[1].data, in[2].data
	grad := nd.kind == OpAttentionGrad
	var gy, gq, gk, gv []float64
	if grad {
		gy = in[3].data
		sz := len(q)
		gq, gk, gv = out[:sz], out[sz:2*sz], out[2*sz:]
		clear(out)
	}
	p := make([]float64, L)
	dp := make([]float64, L)
	for n := 0; n < N; n++ {
		for h := 0; h < a.Heads; h++ {
			base := (n*C + h*d) * L // element (c, i) of this head at base + c*L + i
			for i := 0; i < L; i++ {
				mx := math.Inf(-1)
				for j := 0; j < L; j++ {
					t := 0.0
					for c := 0; c < d; c++ {
						t += q[base+c*L+i] * k[base+c*L+j]
					}
					p[j] = t * scale
					mx = max(mx, p[j])
				}
				sum := 0.0
				for j := range p {
					p[j] = math.Exp(p[j] - mx)
					sum += p[j]
				}
				for j := range p {
					p[j] /= sum
				}
				if !grad {
					for c := 0; c < d; c++ {
						t := 0.0
						for j := 0; j < L; j++ {
							t += p[j] * v[base+c*L+j]
						}
						out[base+c*L+i] = t
					}
					continue
				}
				// dp_j = gy_i . v_j; ds_j = p_j (dp_j - sum_j' p_j' dp_j').
				pdp := 0.0
				for j := 0; j < L; j++ {
					t := 0.0
					for c := 0; c < d; c++ {
						g := gy[base+c*L+i]
						t += g * v[base+c*L+j]
						gv[base+c*L+j] += p[j] * g
					}
					dp[j] = t
					pdp += p[j] * t
				}
				for j := 0; j < L; j++ {
					ds := p[j] * (dp[j] - pdp) * scale
					for c := 0; c < d; c++ {
						gq[base+c*L+i] += ds * k[base+c*L+j]
						gk[base+c*L+j] += ds * q[base+c*L+i]
					}
				}
			}
		}
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
