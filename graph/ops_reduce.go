package graph

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
)

// ReduceSum sums x over axes (all axes when none are given), keeping them
// as dimensions of size 1 when keepDims.
func ReduceSum(x *Node, axes []int, keepDims bool) *Node {
	return reduce(OpReduceSum, x, axes, keepDims)
}

// ReduceMean averages x over axes (all when none are given).
func ReduceMean(x *Node, axes []int, keepDims bool) *Node {
	return reduce(OpReduceMean, x, axes, keepDims)
}

// ReduceMax takes the maximum of x over axes (all when none are given). Its
// gradient is shared equally between tied maxima.
func ReduceMax(x *Node, axes []int, keepDims bool) *Node {
	return reduce(OpReduceMax, x, axes, keepDims)
}

// Sum returns the sum of all elements of x as a scalar.
func Sum(x *Node) *Node { return ReduceSum(x, nil, false) }

// Mean returns the mean of all elements of x as a scalar.
func Mean(x *Node) *Node { return ReduceMean(x, nil, false) }

func reduce(k OpKind, x *Node, axes []int, keepDims bool) *Node {
	g := x.graph
	if axes == nil {
		axes = make([]int, len(x.shape))
		for i := range axes {
			axes[i] = i
		}
	}
	ax, err := normAxes(axes, len(x.shape))
	if err != nil {
		g.setErr(fmt.Errorf("graph: %v of %v: %w", k, x.shape, err))
		return g.poisoned()
	}
	return g.build(k, ReduceAttr{Axes: ax, KeepDims: keepDims}, x)
}

// keptShape returns in with the reduced axes set to 1.
func keptShape(in Shape, axes []int) Shape {
	s := in.Clone()
	for _, a := range axes {
		s[a] = 1
	}
	return s
}

func inferReduce(attr any, in []Shape) (Shape, error) {
	a := attr.(ReduceAttr)
	ax, err := normAxes(a.Axes, len(in[0]))
	if err != nil {
		return nil, err
	}
	if a.KeepDims {
		return keptShape(in[0], ax), nil
	}
	var out Shape
	j := 0
	for i, d := range in[0] {
		if j < len(ax) && ax[j] == i {
			j++
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

func forwardReduce(_ *runCtx, n *Node, in []tensor, out []float64) {
	axes := n.attr.(ReduceAttr).Axes
	x := in[0]
	if n.kind == OpReduceMax {
		copy(out, ref.ReduceMax(x.data, x.shape, axes))
		return
	}
	copy(out, ref.ReduceSum(x.data, x.shape, axes))
	if n.kind == OpReduceMean {
		c := float64(x.shape.Size() / len(out))
		for i := range out {
			out[i] /= c
		}
	}
}

func vjpReduce(n, gy *Node, _ []bool) []*Node {
	x := n.inputs[0]
	a := n.attr.(ReduceAttr)
	keep := keptShape(x.shape, a.Axes)
	gk := Reshape(gy, keep...)
	switch n.kind {
	case OpReduceMean:
		gk = Scale(gk, float64(keep.Size())/float64(x.shape.Size()))
	case OpReduceMax:
		mask := Equal(x, Reshape(n, keep...))
		cnt := ReduceSum(mask, a.Axes, true)
		return []*Node{Mul(mask, Div(gk, cnt))}
	}
	return []*Node{BroadcastTo(gk, x.shape...)}
}

func init() {
	for _, k := range []OpKind{OpReduceSum, OpReduceMean, OpReduceMax} {
		register(k, opDef{arity: 1, infer: inferReduce, forward: forwardReduce, vjp: vjpReduce})
	}
}
