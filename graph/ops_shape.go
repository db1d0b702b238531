package graph

import (
	"fmt"
	"slices"

	"github.com/sdevk/sdevk/graph/ref"
)

// Reshape returns x with a new shape of the same size. One dimension may be
// -1, inferred from the others.
func Reshape(x *Node, shape ...int) *Node {
	s := Shape(shape).Clone()
	if k := slices.Index(s, -1); k >= 0 {
		rest := 1
		for i, d := range s {
			if i != k {
				rest *= d
			}
		}
		if rest > 0 {
			s[k] = x.shape.Size() / rest
		}
	}
	if x.shape.Equal(s) {
		return x
	}
	return x.graph.build(OpReshape, ReshapeAttr{Shape: s}, x)
}

// Transpose permutes the dimensions of x: dimension i of the result is
// dimension perm[i] of x.
func Transpose(x *Node, perm ...int) *Node {
	return x.graph.build(OpTranspose, TransposeAttr{Perm: slices.Clone(perm)}, x)
}

// Slice keeps the elements of x with start[i] <= index i < end[i].
func Slice(x *Node, start, end []int) *Node {
	return x.graph.build(OpSlice, SliceAttr{Start: slices.Clone(start), End: slices.Clone(end)}, x)
}

// SliceAxis keeps indices [start, end) of x along axis (negative counts
// from the end) and all of the other axes.
func SliceAxis(x *Node, axis, start, end int) *Node {
	if axis < 0 {
		axis += len(x.shape)
	}
	st := make([]int, len(x.shape))
	en := x.shape.Clone()
	if axis >= 0 && axis < len(st) {
		st[axis], en[axis] = start, end
	}
	return Slice(x, st, en)
}

// Pad surrounds x with before[i] zeros before and after[i] zeros after
// along every axis i.
func Pad(x *Node, before, after []int) *Node {
	return x.graph.build(OpPad, PadAttr{Before: slices.Clone(before), After: slices.Clone(after)}, x)
}

// Concat joins xs along axis (negative counts from the end); the other
// dimensions must agree.
func Concat(axis int, xs ...*Node) *Node {
	g := graphOf(xs...)
	if len(xs) > 0 && xs[0] != nil && axis < 0 {
		axis += len(xs[0].shape)
	}
	return g.build(OpConcat, ConcatAttr{Axis: axis}, xs...)
}

// BroadcastTo broadcasts x to shape with NumPy rules.
func BroadcastTo(x *Node, shape ...int) *Node {
	if x.shape.Equal(shape) {
		return x
	}
	return x.graph.build(OpBroadcastTo, BroadcastAttr{Shape: Shape(shape).Clone()}, x)
}

func inferReshape(attr any, in []Shape) (Shape, error) {
	s := attr.(ReshapeAttr).Shape
	if !s.valid() || s.Size() != in[0].Size() {
		return nil, fmt.Errorf("cannot reshape %v to %v", in[0], s)
	}
	return s.Clone(), nil
}

func inferTranspose(attr any, in []Shape) (Shape, error) {
	p := attr.(TransposeAttr).Perm
	seen := make([]bool, len(p))
	if len(p) != len(in[0]) {
		return nil, fmt.Errorf("permutation %v for shape %v", p, in[0])
	}
	out := make(Shape, len(p))
	for i, a := range p {
		if a < 0 || a >= len(p) || seen[a] {
			return nil, fmt.Errorf("invalid permutation %v for shape %v", p, in[0])
		}
		seen[a] = true
		out[i] = in[0][a]
	}
	return out, nil
}

func inferSlice(attr any, in []Shape) (Shape, error) {
	a := attr.(SliceAttr)
	x := in[0]
	if len(a.Start) != len(x) || len(a.End) != len(x) {
		return nil, fmt.Errorf("slice [%v, %v) of shape %v", a.Start, a.End, x)
	}
	out := make(Shape, len(x))
	for i := range x {
		if a.Start[i] < 0 || a.End[i] > x[i] || a.Start[i] >= a.End[i] {
			return nil, fmt.Errorf("slice [%v, %v) out of range of shape %v", a.Start, a.End, x)
		}
		out[i] = a.End[i] - a.Start[i]
	}
	return out, nil
}

func inferPad(attr any, in []Shape) (Shape, error) {
	a := attr.(PadAttr)
	x := in[0]
	if len(a.Before) != len(x) || len(a.After) != len(x) {
		return nil, fmt.Errorf("padding %v, %v for shape %v", a.Before, a.After, x)
	}
	out := make(Shape, len(x))
	for i := range x {
		if a.Before[i] < 0 || a.After[i] < 0 {
			return nil, fmt.Errorf("negative padding %v, %v", a.Before, a.After)
		}
		out[i] = x[i] + a.Before[i] + a.After[i]
	}
	return out, nil
}

func inferConcat(attr any, in []Shape) (Shape, error) {
	ax := attr.(ConcatAttr).Axis
	if len(in) == 0 {
		return nil, fmt.Errorf("no inputs")
	}
	if ax < 0 || ax >= len(in[0]) {
		return nil, fmt.Errorf("axis %d out of range for %v", ax, in[0])
	}
	out := in[0].Clone()
	for _, s := range in[1:] {
		if len(s) != len(out) {
			return nil, fmt.Errorf("shapes %v and %v differ in rank", in[0], s)
		}
		for i := range s {
			if i != ax && s[i] != out[i] {
				return nil, fmt.Errorf("shapes %v and %v differ off axis %d", in[0], s, ax)
			}
		}
		out[ax] += s[ax]
	}
	return out, nil
}

func inferBroadcastTo(attr any, in []Shape) (Shape, error) {
	s := attr.(BroadcastAttr).Shape
	if !broadcastable(in[0], s) {
		return nil, fmt.Errorf("shape %v does not broadcast to %v", in[0], s)
	}
	return s.Clone(), nil
}

func forwardShape(_ *runCtx, n *Node, in []tensor, out []float64) {
	x := in[0]
	switch a := n.attr.(type) {
	case ReshapeAttr:
		copy(out, x.data)
	case TransposeAttr:
		copy(out, ref.Transpose(x.data, x.shape, a.Perm))
	case SliceAttr:
		copy(out, ref.Slice(x.data, x.shape, a.Start, a.End))
	case PadAttr:
		copy(out, ref.Pad(x.data, x.shape, a.Before, a.After))
	case ConcatAttr:
		xs := make([][]float64, len(in))
		shapes := make([][]int, len(in))
		for i, t := range in {
			xs[i], shapes[i] = t.data, t.shape
		}
		copy(out, ref.Concat(xs, shapes, a.Axis))
	case BroadcastAttr:
		copy(out, ref.BroadcastTo(x.data, x.shape, n.shape))
	}
}

func vjpShape(n, gy *Node, _ []bool) []*Node {
	x := n.inputs[0]
	switch a := n.attr.(type) {
	case ReshapeAttr:
		return []*Node{Reshape(gy, x.shape...)}
	case TransposeAttr:
		inv := make([]int, len(a.Perm))
		for i, p := range a.Perm {
			inv[p] = i
		}
		return []*Node{Transpose(gy, inv...)}
	case SliceAttr:
		after := make([]int, len(x.shape))
		for i := range after {
			after[i] = x.shape[i] - a.End[i]
		}
		return []*Node{Pad(gy, a.Start, after)}
	case PadAttr:
		end := make([]int, len(x.shape))
		for i := range end {
			end[i] = a.Before[i] + x.shape[i]
		}
		return []*Node{Slice(gy, a.Before, end)}
	case ConcatAttr:
		gs := make([]*Node, len(n.inputs))
		at := 0
		for i, in := range n.inputs {
			gs[i] = SliceAxis(gy, a.Axis, at, at+in.shape[a.Axis])
			at += in.shape[a.Axis]
		}
		return gs
	case BroadcastAttr:
		return []*Node{sumTo(gy, x.shape)}
	}
	return nil
}

func init() {
	register(OpReshape, opDef{arity: 1, infer: inferReshape, forward: forwardShape, vjp: vjpShape})
	register(OpTranspose, opDef{arity: 1, infer: inferTranspose, forward: forwardShape, vjp: vjpShape})
	register(OpSlice, opDef{arity: 1, infer: inferSlice, forward: forwardShape, vjp: vjpShape})
	register(OpPad, opDef{arity: 1, infer: inferPad, forward: forwardShape, vjp: vjpShape})
	register(OpConcat, opDef{arity: -1, infer: inferConcat, forward: forwardShape, vjp: vjpShape})
	register(OpBroadcastTo, opDef{arity: 1, infer: inferBroadcastTo, forward: forwardShape, vjp: vjpShape})
}
