package graph

import (
	"fmt"
	"slices"
)

// score_sde's FIR resampling layers (models/up_or_down_sampling.py, from
// StyleGAN2), built from UpFirDn2D and the convolutions. k1d is the
// separable filter (score_sde's fir_kernel, e.g. [1, 3, 3, 1]), factor the
// integer resampling factor and gain the signal gain (1 in score_sde).
// Images are NCHW.

// FIRUpsample2D is score_sde's upsample_2d: x[N,C,H,W] -> [N,C,fH,fW].
func FIRUpsample2D(x *Node, k1d []float64, factor int, gain float64) *Node {
	k, ok := firKernel(x.graph, "FIRUpsample2D", k1d, factor, gain*float64(factor*factor))
	if !ok {
		return x.graph.poisoned()
	}
	p := len(k1d) - factor
	return UpFirDn2D(x, k, len(k1d), factor, 1, floorDiv(p+1, 2)+factor-1, floorDiv(p, 2))
}

// FIRDownsample2D is score_sde's downsample_2d: x[N,C,H,W] ->
// [N,C,H/f,W/f].
func FIRDownsample2D(x *Node, k1d []float64, factor int, gain float64) *Node {
	k, ok := firKernel(x.graph, "FIRDownsample2D", k1d, factor, gain)
	if !ok {
		return x.graph.poisoned()
	}
	p := len(k1d) - factor
	return UpFirDn2D(x, k, len(k1d), 1, factor, floorDiv(p+1, 2), floorDiv(p, 2))
}

// FIRUpsampleConv2D is score_sde's upsample_conv_2d: the transposed
// convolution of x[N,C,H,W] with stride factor by w[O,C,KH,KW] (PyTorch's
// Conv2d layout, KH = KW, the spatially flipped kernel as score_sde does),
// then the FIR filter, giving [N,O,fH,fW].
func FIRUpsampleConv2D(x, w *Node, k1d []float64, factor int, gain float64) *Node {
	g := graphOf(x, w)
	k, ok := firKernel(g, "FIRUpsampleConv2D", k1d, factor, gain*float64(factor*factor))
	if !ok || !firConvShapes(g, "FIRUpsampleConv2D", x, w) {
		return g.poisoned()
	}
	kh, kw := w.shape[2], w.shape[3]
	// Conv2DBackData takes its kernel as [channels of its input x, channels
	// of its output, KH, KW]: score_sde's permuted, flipped weight.
	wt := flipSpatial(Transpose(w, 1, 0, 2, 3))
	stride := Conv2DAttr{Stride: [2]int{factor, factor}}
	y := Conv2DBackData(x, wt, stride, (x.shape[2]-1)*factor+kh, (x.shape[3]-1)*factor+kw)
	p := (len(k1d) - factor) - (kw - 1)
	return UpFirDn2D(y, k, len(k1d), 1, 1, floorDiv(p+1, 2)+factor-1, floorDiv(p, 2)+1)
}

// FIRConvDownsample2D is score_sde's conv_downsample_2d: the FIR filter,
// then the convolution by w[O,C,KH,KW] (KH = KW) with stride factor,
// giving [N,O,H/f,W/f].
func FIRConvDownsample2D(x, w *Node, k1d []float64, factor int, gain float64) *Node {
	g := graphOf(x, w)
	k, ok := firKernel(g, "FIRConvDownsample2D", k1d, factor, gain)
	if !ok || !firConvShapes(g, "FIRConvDownsample2D", x, w) {
		return g.poisoned()
	}
	p := (len(k1d) - factor) + (w.shape[3] - 1)
	y := UpFirDn2D(x, k, len(k1d), 1, 1, floorDiv(p+1, 2), floorDiv(p, 2))
	return Conv2D(y, w, Conv2DAttr{Stride: [2]int{factor, factor}})
}

// firKernel is score_sde's _setup_kernel times scale: the outer product of
// k1d with itself divided by its sum, row-major. It records an error on g
// and returns false for an empty or zero-sum filter or a factor below 1.
func firKernel(g *Graph, op string, k1d []float64, factor int, scale float64) ([]float64, bool) {
	if g.err != nil {
		return nil, false
	}
	var sum float64
	for _, a := range k1d {
		for _, b := range k1d {
			sum += a * b
		}
	}
	if len(k1d) == 0 || sum == 0 || factor < 1 {
		g.setErr(fmt.Errorf("graph: %s: filter %v with factor %d: need a non-empty filter of non-zero sum and a factor >= 1", op, k1d, factor))
		return nil, false
	}
	k := make([]float64, 0, len(k1d)*len(k1d))
	for _, a := range k1d {
		for _, b := range k1d {
			k = append(k, a*b/sum*scale)
		}
	}
	return k, true
}

// firConvShapes records an error on g unless x is [N,C,H,W] and w a square
// [O,C,K,K] kernel.
func firConvShapes(g *Graph, op string, x, w *Node) bool {
	xs, ws := x.shape, w.shape
	if len(xs) == 4 && len(ws) == 4 && ws[1] == xs[1] && ws[2] == ws[3] {
		return true
	}
	g.setErr(fmt.Errorf("graph: %s: input %v and kernel %v are not [N,C,H,W] and [O,C,K,K]", op, xs, ws))
	return false
}

// flipSpatial reverses the last two dimensions of w[..., KH, KW] (rotates
// each kernel by 180 degrees), as a product with a reversal permutation so
// that it stays differentiable without an op of its own.
func flipSpatial(w *Node) *Node {
	s := w.shape
	n := s[len(s)-2] * s[len(s)-1]
	rev := make([]float64, n*n)
	for i := 0; i < n; i++ {
		rev[i*n+n-1-i] = 1
	}
	flat := MatMul(Reshape(w, -1, n), w.graph.Const(rev, n, n))
	return Reshape(flat, slices.Clone(s)...)
}

// floorDiv is Python's a // b for b > 0.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
