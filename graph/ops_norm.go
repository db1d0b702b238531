package graph

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
)

// GroupNorm normalises x[N,C,...] over each of groups groups of C/groups
// channels and all spatial positions, then applies the per-channel affine
// map gamma*x + beta (gamma and beta of shape [C]; either may be nil). eps
// is added to the variance (PyTorch uses 1e-5, score_sde 1e-6).
func GroupNorm(x, gamma, beta *Node, groups int, eps float64) *Node {
	y := GroupNormalize(x, groups, eps)
	if len(x.shape) < 2 {
		return y
	}
	cs := make([]int, len(x.shape)-1) // [C, 1, 1, ...]
	for i := range cs {
		cs[i] = 1
	}
	cs[0] = x.shape[1]
	if gamma != nil {
		y = Mul(y, Reshape(gamma, cs...))
	}
	if beta != nil {
		y = Add(y, Reshape(beta, cs...))
	}
	return y
}

// GroupNormalize is GroupNorm without the affine map: one fused op.
func GroupNormalize(x *Node, groups int, eps float64) *Node {
	return x.graph.build(OpGroupNorm, GroupNormAttr{Groups: groups, Eps: eps}, x)
}

// GroupNormGrad is the gradient of GroupNormalize at x for the output
// gradient gy, one fused op (Grad builds it; exported for tests and
// benchmarks).
func GroupNormGrad(x, gy *Node, groups int, eps float64) *Node {
	return graphOf(x, gy).build(OpGroupNormGrad, GroupNormAttr{Groups: groups, Eps: eps}, x, gy)
}

func inferGroupNorm(attr any, in []Shape) (Shape, error) {
	x := in[0]
	if len(x) < 2 {
		return nil, fmt.Errorf("input %v is not [N,C,...]", x)
	}
	if err := groupNormShape(x, attr).Check(); err != nil {
		return nil, fmt.Errorf("input %v: %w", x, err)
	}
	for _, s := range in[1:] {
		if !s.Equal(x) {
			return nil, fmt.Errorf("shapes %v and %v differ", x, s)
		}
	}
	return x.Clone(), nil
}

// GroupNormShape returns the shape of a GroupNorm or GroupNormGrad node.
func GroupNormShape(n *Node) ref.GroupNormShape { return groupNormShape(n.inputs[0].shape, n.attr) }

// groupNormShape views x [N, C, ...] as [N, C, HW].
func groupNormShape(x Shape, attr any) ref.GroupNormShape {
	a := attr.(GroupNormAttr)
	return ref.GroupNormShape{N: x[0], C: x[1], HW: x.Size() / (x[0] * x[1]), Groups: a.Groups, Eps: a.Eps}
}

func forwardGroupNorm(_ *runCtx, n *Node, in []tensor, out []float64) {
	s := GroupNormShape(n)
	if n.kind == OpGroupNorm {
		y, _, _ := ref.GroupNorm(in[0].data, nil, nil, s)
		copy(out, y)
		return
	}
	gx, _, _ := ref.GroupNormGrad(in[0].data, in[1].data, nil, s)
	copy(out, gx)
}

// groupNormComposite builds GroupNormalize from primitive ops.
func groupNormComposite(n *Node, in []*Node) *Node {
	a := n.attr.(GroupNormAttr)
	x := in[0]
	xg := Reshape(x, x.shape[0], a.Groups, -1)
	d := Sub(xg, ReduceMean(xg, []int{2}, true))
	v := ReduceMean(Square(d), []int{2}, true)
	return Reshape(Div(d, Sqrt(AddScalar(v, a.Eps))), x.shape...)
}

// gradComposite builds the VJP of the composite of fused op fwd as
// primitive ops: the composite of a fused gradient op such as
// GroupNormGrad, whose own VJP then follows by differentiating it again.
func gradComposite(fwd OpKind, attr any, ins []*Node, gy *Node) []*Node {
	probe := &Node{graph: gy.graph, kind: fwd, attr: attr, inputs: ins}
	y := registry[fwd].composite(probe, ins)
	gs, err := VJP([]*Node{y}, []*Node{gy}, ins)
	if err != nil {
		gy.graph.setErr(err)
		return make([]*Node, len(ins))
	}
	return gs
}

func init() {
	register(OpGroupNorm, opDef{arity: 1, infer: inferGroupNorm, forward: forwardGroupNorm,
		vjp: func(n, gy *Node, _ []bool) []*Node {
			x := n.inputs[0]
			a := n.attr.(GroupNormAttr)
			return []*Node{GroupNormGrad(x, gy, a.Groups, a.Eps)}
		},
		composite: groupNormComposite,
	})
	register(OpGroupNormGrad, opDef{arity: 2, infer: inferGroupNorm, forward: forwardGroupNorm,
		vjp: vjpViaComposite,
		composite: func(n *Node, in []*Node) *Node {
			return gradComposite(OpGroupNorm, n.attr, in[:1], in[1])[0]
		},
	})
}
