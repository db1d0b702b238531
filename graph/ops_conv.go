package graph

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
)

// Conv2D returns the 2-D cross-correlation of x[N,C,H,W] with the kernel
// w[O,C,KH,KW] with zero padding, giving [N,O,OH,OW] with
// OH = (H + 2 Pad[0] - KH)/Stride[0] + 1. Add a bias by broadcasting a
// [O,1,1] tensor.
func Conv2D(x, w *Node, attr Conv2DAttr) *Node {
	return graphOf(x, w).build(OpConv2D, attr.norm(), x, w)
}

// Conv2DBackData is the transposed convolution: the gradient with respect
// to the data of a Conv2D with attributes a whose input was H x W.
func Conv2DBackData(gy, w *Node, a Conv2DAttr, h, wd int) *Node {
	return graphOf(gy, w).build(OpConv2DBackData, Conv2DBackDataAttr{Conv2DAttr: a.norm(), H: h, W: wd}, gy, w)
}

// Conv2DBackFilter is the gradient with respect to the kh x kw kernel of a
// Conv2D with attributes a of input x and output gradient gy.
func Conv2DBackFilter(x, gy *Node, a Conv2DAttr, kh, kw int) *Node {
	return graphOf(x, gy).build(OpConv2DBackFilter, Conv2DBackFilterAttr{Conv2DAttr: a.norm(), KH: kh, KW: kw}, x, gy)
}

// Upsample2x repeats every element of the last two dimensions of x twice
// along each (nearest-neighbour upsampling).
func Upsample2x(x *Node) *Node { return x.graph.build(OpUpsample2x, nil, x) }

// AvgPool2x averages non-overlapping 2x2 blocks of the last two dimensions
// of x, which must be even.
func AvgPool2x(x *Node) *Node { return x.graph.build(OpAvgPool2x, nil, x) }

func (a Conv2DAttr) norm() Conv2DAttr {
	for i := range a.Stride {
		if a.Stride[i] == 0 {
			a.Stride[i] = 1
		}
	}
	return a
}

// Conv2DGeom returns the geometry of a Conv2D, Conv2DBackData or
// Conv2DBackFilter node: the convolution whose value or gradient it is.
func Conv2DGeom(n *Node) ref.Conv2DGeom {
	in := make([]Shape, len(n.inputs))
	for i, x := range n.inputs {
		in[i] = x.shape
	}
	return convGeom(n.attr, in)
}

// convGeom returns the geometry of a convolution node of attributes attr
// and 4-D input shapes in.
func convGeom(attr any, in []Shape) ref.Conv2DGeom {
	var x, w Shape
	var a Conv2DAttr
	switch at := attr.(type) {
	case Conv2DAttr:
		x, w, a = in[0], in[1], at
	case Conv2DBackDataAttr: // in: gy, w
		x, w, a = Shape{in[0][0], in[1][1], at.H, at.W}, in[1], at.Conv2DAttr
	case Conv2DBackFilterAttr: // in: x, gy
		x, w, a = in[0], Shape{in[1][1], in[0][1], at.KH, at.KW}, at.Conv2DAttr
	}
	return ref.Conv2DGeom{N: x[0], C: x[1], H: x[2], W: x[3], O: w[0], KH: w[2], KW: w[3], Stride: a.Stride, Pad: a.Pad}
}

func inferConv(attr any, in []Shape) (Shape, error) {
	if len(in[0]) != 4 || len(in[1]) != 4 {
		return nil, fmt.Errorf("operands %v and %v must be 4-D", in[0], in[1])
	}
	switch attr.(type) {
	case Conv2DAttr, Conv2DBackDataAttr, Conv2DBackFilterAttr:
	default:
		return nil, fmt.Errorf("bad attributes %T", attr)
	}
	g := convGeom(attr, in)
	if err := g.Check(); err != nil {
		return nil, fmt.Errorf("operands %v and %v: %w", in[0], in[1], err)
	}
	x := Shape{g.N, g.C, g.H, g.W}
	w := Shape{g.O, g.C, g.KH, g.KW}
	y := Shape{g.N, g.O, g.OutH(), g.OutW()}
	switch attr.(type) {
	case Conv2DAttr:
		if in[1][1] != g.C {
			return nil, fmt.Errorf("input %v has %d channels, kernel %v expects %d", in[0], g.C, in[1], in[1][1])
		}
		return y, nil
	case Conv2DBackDataAttr:
		if !in[0].Equal(y) {
			return nil, fmt.Errorf("gradient %v does not match kernel %v for input %dx%d", in[0], in[1], g.H, g.W)
		}
		return x, nil
	default:
		if !in[1].Equal(y) {
			return nil, fmt.Errorf("gradient %v does not match input %v for a %dx%d kernel", in[1], in[0], g.KH, g.KW)
		}
		return w, nil
	}
}

func forwardConv(_ *runCtx, n *Node, in []tensor, out []float64) {
	g := Conv2DGeom(n)
	switch n.kind {
	case OpConv2D:
		copy(out, ref.Conv2D(in[0].data, in[1].data, nil, g))
	case OpConv2DBackData:
		copy(out, ref.Conv2DBackData(in[0].data, in[1].data, g))
	case OpConv2DBackFilter:
		copy(out, ref.Conv2DBackFilter(in[0].data, in[1].data, g))
	}
}

// The three convolution ops are bilinear and each one's VJP is built from
// the other two, so conv gradients of any order exist.
func vjpConv(n, g *Node, need []bool) []*Node {
	a, b := n.inputs[0], n.inputs[1]
	var ga, gb *Node
	switch at := n.attr.(type) {
	case Conv2DAttr: // a = x, b = w
		if need[0] {
			ga = Conv2DBackData(g, b, at, a.shape[2], a.shape[3])
		}
		if need[1] {
			gb = Conv2DBackFilter(a, g, at, b.shape[2], b.shape[3])
		}
	case Conv2DBackDataAttr: // a = gy, b = w
		if need[0] {
			ga = Conv2D(g, b, at.Conv2DAttr)
		}
		if need[1] {
			gb = Conv2DBackFilter(g, a, at.Conv2DAttr, b.shape[2], b.shape[3])
		}
	case Conv2DBackFilterAttr: // a = x, b = gy
		if need[0] {
			ga = Conv2DBackData(b, g, at.Conv2DAttr, a.shape[2], a.shape[3])
		}
		if need[1] {
			gb = Conv2D(a, g, at.Conv2DAttr)
		}
	}
	return []*Node{ga, gb}
}

// planeDims views s [..., H, W] as planes of H x W.
func planeDims(s Shape) (planes, h, w int) {
	h, w = s[len(s)-2], s[len(s)-1]
	return s.Size() / (h * w), h, w
}

func inferResample(_ any, in []Shape) (Shape, error) {
	x := in[0]
	if len(x) < 2 {
		return nil, fmt.Errorf("input %v needs rank >= 2", x)
	}
	return x.Clone(), nil
}

func init() {
	for _, k := range []OpKind{OpConv2D, OpConv2DBackData, OpConv2DBackFilter} {
		register(k, opDef{arity: 2, infer: inferConv, forward: forwardConv, vjp: vjpConv})
	}
	register(OpUpsample2x, opDef{arity: 1,
		infer: func(a any, in []Shape) (Shape, error) {
			s, err := inferResample(a, in)
			if err == nil {
				s[len(s)-2] *= 2
				s[len(s)-1] *= 2
			}
			return s, err
		},
		forward: func(_ *runCtx, n *Node, in []tensor, out []float64) {
			planes, h, w := planeDims(in[0].shape)
			copy(out, ref.Upsample2x(in[0].data, planes, h, w, 1))
		},
		vjp: func(n, g *Node, _ []bool) []*Node { return []*Node{Scale(AvgPool2x(g), 4)} },
	})
	register(OpAvgPool2x, opDef{arity: 1,
		infer: func(a any, in []Shape) (Shape, error) {
			s, err := inferResample(a, in)
			if err != nil {
				return nil, err
			}
			if s[len(s)-2]%2 != 0 || s[len(s)-1]%2 != 0 {
				return nil, fmt.Errorf("input %v has odd spatial size", in[0])
			}
			s[len(s)-2] /= 2
			s[len(s)-1] /= 2
			return s, nil
		},
		forward: func(_ *runCtx, n *Node, in []tensor, out []float64) {
			planes, h, w := planeDims(in[0].shape)
			copy(out, ref.Pool2x(in[0].data, planes, h, w, 0.25))
		},
		vjp: func(n, g *Node, _ []bool) []*Node { return []*Node{Scale(Upsample2x(g), 0.25)} },
	})
}
