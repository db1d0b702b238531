package model

import (
	"github.com/sdevk/sdevk/graph"
)

// FIR resampling of score_sde's up_or_down_sampling.py (from StyleGAN2),
// composed from graph ops: upfirdn2d is a zero-insertion, an asymmetric
// zero padding and a depthwise convolution with the flipped 2-D kernel,
// which runs as a one-channel Conv2D on the [N*C, 1, H, W] view.

// firKernel2D is _setup_kernel: the outer product of k with itself,
// normalised to sum 1, times gain.
func firKernel2D(k []float64, gain float64) []float64 {
	n := len(k)
	out := make([]float64, n*n)
	var sum float64
	for i := range k {
		for j := range k {
			out[i*n+j] = k[i] * k[j]
			sum += out[i*n+j]
		}
	}
	for i := range out {
		out[i] *= gain / sum
	}
	return out
}

// upFirDn2D is upfirdn2d(x, k, up, down, pad=(pad0, pad1)) for x [N, C, H,
// W] and a square kernel k2 [n*n] (the same padding on both axes).
func upFirDn2D(x *graph.Node, k2 []float64, n, up, down, pad0, pad1 int) *graph.Node {
	g := x.Graph()
	s := x.Shape()
	b, c, h, w := s[0], s[1], s[2], s[3]
	y := graph.Reshape(x, b*c, 1, h, w)
	if up == 2 {
		y = graph.Mul(graph.Upsample2x(y), zeroInsertMask(g, h, w))
		h, w = 2*h, 2*w
	}
	y = graph.Pad(y, []int{0, 0, pad0, pad0}, []int{0, 0, pad1, pad1})
	flipped := make([]float64, len(k2))
	for i, v := range k2 {
		flipped[len(k2)-1-i] = v
	}
	y = graph.Conv2D(y, g.Const(flipped, 1, 1, n, n), graph.Conv2DAttr{Stride: [2]int{down, down}})
	os := y.Shape()
	return graph.Reshape(y, b, c, os[2], os[3])
}

// zeroInsertMask is 1 at the even positions of a 2h x 2w image, 0 elsewhere:
// times a nearest upsampling, it leaves each sample followed by zeros.
func zeroInsertMask(g *graph.Graph, h, w int) *graph.Node {
	m := make([]float64, 4*h*w)
	for i := 0; i < 2*h; i += 2 {
		for j := 0; j < 2*w; j += 2 {
			m[i*2*w+j] = 1
		}
	}
	return g.Const(m, 2*h, 2*w)
}

// firUpsample2D is upsample_2d(x, k, factor 2).
func firUpsample2D(x *graph.Node, k []float64) *graph.Node {
	p := len(k) - 2
	return upFirDn2D(x, firKernel2D(k, 4), len(k), 2, 1, (p+1)/2+1, p/2)
}

// firDownsample2D is downsample_2d(x, k, factor 2).
func firDownsample2D(x *graph.Node, k []float64) *graph.Node {
	p := len(k) - 2
	return upFirDn2D(x, firKernel2D(k, 1), len(k), 1, 2, (p+1)/2, p/2)
}

// firUpsampleConv2D is upsample_conv_2d(x, w, k, factor 2): the stride-2
// transposed convolution with w [O, C, 3, 3], then the FIR filter.
func firUpsampleConv2D(x, w *graph.Node, k []float64) *graph.Node {
	s, ws := x.Shape(), w.Shape()
	kw := ws[3]
	// conv_transpose2d with the spatially flipped, in/out-swapped kernel is
	// the data gradient of a stride-2 convolution with that kernel.
	kt := flip2D(graph.Transpose(w, 1, 0, 2, 3))
	y := graph.Conv2DBackData(x, kt, graph.Conv2DAttr{Stride: [2]int{2, 2}}, (s[2]-1)*2+kw, (s[3]-1)*2+kw)
	p := (len(k) - 2) - (kw - 1)
	return upFirDn2D(y, firKernel2D(k, 4), len(k), 1, 1, (p+1)/2+1, p/2+1)
}

// firConvDownsample2D is conv_downsample_2d(x, w, k, factor 2): the FIR
// filter, then a stride-2 convolution with w.
func firConvDownsample2D(x, w *graph.Node, k []float64) *graph.Node {
	kw := w.Shape()[3]
	p := (len(k) - 2) + (kw - 1)
	y := upFirDn2D(x, firKernel2D(k, 1), len(k), 1, 1, (p+1)/2, p/2)
	return graph.Conv2D(y, w, graph.Conv2DAttr{Stride: [2]int{2, 2}})
}

// flip2D reverses the last two axes of w [A, B, n, n] by a product with the
// n*n reversal permutation.
func flip2D(w *graph.Node) *graph.Node {
	s := w.Shape()
	n := s[2] * s[3]
	rev := make([]float64, n*n)
	for i := range n {
		rev[i*n+n-1-i] = 1
	}
	flat := graph.MatMul(graph.Reshape(w, s[0]*s[1], n), w.Graph().Const(rev, n, n))
	return graph.Reshape(flat, s...)
}
