package graph

import "fmt"

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

// outSize returns the convolution output size along dimension d.
func (a Conv2DAttr) outSize(d, in, k int) int { return (in+2*a.Pad[d]-k)/a.Stride[d] + 1 }

func (a Conv2DAttr) check() error {
	if a.Stride[0] < 1 || a.Stride[1] < 1 || a.Pad[0] < 0 || a.Pad[1] < 0 {
		return fmt.Errorf("invalid stride %v or padding %v", a.Stride, a.Pad)
	}
	return nil
}

func inferConv(attr any, in []Shape) (Shape, error) {
	if len(in[0]) != 4 || len(in[1]) != 4 {
		return nil, fmt.Errorf("operands %v and %v must be 4-D", in[0], in[1])
	}
	switch a := attr.(type) {
	case Conv2DAttr:
		x, w := in[0], in[1]
		if err := a.check(); err != nil {
			return nil, err
		}
		if x[1] != w[1] {
			return nil, fmt.Errorf("input %v has %d channels, kernel %v expects %d", x, x[1], w, w[1])
		}
		oh, ow := a.outSize(0, x[2], w[2]), a.outSize(1, x[3], w[3])
		if oh < 1 || ow < 1 {
			return nil, fmt.Errorf("kernel %v larger than padded input %v", w, x)
		}
		return Shape{x[0], w[0], oh, ow}, nil
	case Conv2DBackDataAttr:
		gy, w := in[0], in[1]
		if err := a.check(); err != nil {
			return nil, err
		}
		oh, ow := a.outSize(0, a.H, w[2]), a.outSize(1, a.W, w[3])
		if gy[1] != w[0] || gy[2] != oh || gy[3] != ow {
			return nil, fmt.Errorf("gradient %v does not match kernel %v for input %dx%d", gy, w, a.H, a.W)
		}
		return Shape{gy[0], w[1], a.H, a.W}, nil
	case Conv2DBackFilterAttr:
		x, gy := in[0], in[1]
		if err := a.check(); err != nil {
			return nil, err
		}
		oh, ow := a.outSize(0, x[2], a.KH), a.outSize(1, x[3], a.KW)
		if gy[0] != x[0] || gy[2] != oh || gy[3] != ow {
			return nil, fmt.Errorf("gradient %v does not match input %v for a %dx%d kernel", gy, x, a.KH, a.KW)
		}
		return Shape{gy[1], x[1], a.KH, a.KW}, nil
	}
	return nil, fmt.Errorf("bad attributes %T", attr)
}

// convLoop calls f(xi, wi, yi) for every triple of linear indices into
// x[N,C,H,W], w[O,C,KH,KW] and y[N,O,OH,OW] that a Conv2D multiplies and
// accumulates, skipping padding.
func convLoop(a Conv2DAttr, x, w, y Shape, f func(xi, wi, yi int)) {
	N, C, H, W := x[0], x[1], x[2], x[3]
	O, KH, KW := w[0], w[2], w[3]
	OH, OW := y[2], y[3]
	for n := 0; n < N; n++ {
		for o := 0; o < O; o++ {
			for oh := 0; oh < OH; oh++ {
				for ow := 0; ow < OW; ow++ {
					yi := ((n*O+o)*OH+oh)*OW + ow
					for c := 0; c < C; c++ {
						for kh := 0; kh < KH; kh++ {
							ih := oh*a.Stride[0] - a.Pad[0] + kh
							if ih < 0 || ih >= H {
								continue
							}
							for kw := 0; kw < KW; kw++ {
								iw := ow*a.Stride[1] - a.Pad[1] + kw
								if iw < 0 || iw >= W {
									continue
								}
								f(((n*C+c)*H+ih)*W+iw, ((o*C+c)*KH+kh)*KW+kw, yi)
							}
						}
					}
				}
			}
		}
	}
}

func forwardConv(_ *runCtx, n *Node, in []tensor, out []float64) {
	clear(out)
	switch a := n.attr.(type) {
	case Conv2DAttr:
		x, w := in[0], in[1]
		convLoop(a, x.shape, w.shape, n.shape, func(xi, wi, yi int) { out[yi] += x.data[xi] * w.data[wi] })
	case Conv2DBackDataAttr:
		gy, w := in[0], in[1]
		convLoop(a.Conv2DAttr, n.shape, w.shape, gy.shape, func(xi, wi, yi int) { out[xi] += gy.data[yi] * w.data[wi] })
	case Conv2DBackFilterAttr:
		x, gy := in[0], in[1]
		convLoop(a.Conv2DAttr, x.shape, n.shape, gy.shape, func(xi, wi, yi int) { out[wi] += gy.data[yi] * x.data[xi] })
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
			s := in[0].shape
			H, W := s[len(s)-2], s[len(s)-1]
			for i := range out {
				p, ow := i/(2*W), i%(2*W)
				b, oh := p/(2*H), p%(2*H)
				out[i] = in[0].data[(b*H+oh/2)*W+ow/2]
			}
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
			s := in[0].shape
			H, W := s[len(s)-2], s[len(s)-1]
			x := in[0].data
			for i := range out {
				p, ow := i/(W/2), i%(W/2)
				b, oh := p/(H/2), p%(H/2)
				o := (b*H+2*oh)*W + 2*ow
				out[i] = 0.25 * (x[o] + x[o+1] + x[o+W] + x[o+W+1])
			}
		},
		vjp: func(n, g *Node, _ []bool) []*Node { return []*Node{Scale(Upsample2x(g), 0.25)} },
	})
}
