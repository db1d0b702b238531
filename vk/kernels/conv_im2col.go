package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// convScratch holds the convolutions' scratch buffers: 0 the columns, 1 the
// transposed weights (data gradient), 2 the transposed output gradient
// (filter gradient) of ConvIm2col, and 3 the K slices of split products
// (ConvTiled's filter gradient, Gemm's weight gradients). A buffer that grows is retired, not freed, so that
// sequences recorded with it stay valid until Lib.Close. Like
// ReduceScratch, convolutions recorded into one sequence share them (the
// sequence orders them); sequences that run concurrently must not.
type convScratch struct {
	bufs [4]*vk.Buffer
	old  []*vk.Buffer
}

func (s *convScratch) free() {
	for _, b := range append(s.old, s.bufs[:]...) {
		b.Free()
	}
	*s = convScratch{}
}

// convBuf returns scratch buffer i with room for n values.
func (l *Lib) convBuf(i, n int) (*vk.Buffer, error) {
	s := &l.conv
	if b := s.bufs[i]; b != nil && b.Len() >= n {
		return b, nil
	}
	b, err := l.Dev.NewBufferF32(n)
	if err != nil {
		return nil, err
	}
	if s.bufs[i] != nil {
		s.old = append(s.old, s.bufs[i])
	}
	s.bufs[i] = b
	return b, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// im2colChunk returns the images per chunk for n images of perCols
// unfolded values each, a multiple of the count that keeps chunks of
// perOut outputs at view-aligned offsets (perOut 0: no constraint); false
// when even that chunk exceeds maxStorageBufferRange.
func (l *Lib) im2colChunk(n, perCols, perOut int) (int, bool) {
	m := 1
	if perOut > 0 {
		align := int(l.Dev.ViewAlign())
		m = align / gcd(4*perOut, align)
	}
	chunk := max(1, l.Tuning.ConvIm2colScratchBytes/4/perCols)
	if l.Tuning.ConvIm2colChunk > 0 {
		chunk = min(chunk, l.Tuning.ConvIm2colChunk)
	}
	chunk = min(ceilDiv(chunk, m)*m, n)
	lim := l.Dev.Info.Limits.MaxStorageBufferRange / 4
	return chunk, lim == 0 || uint64(chunk*perCols) <= lim
}

// im2colOK reports whether ConvIm2col can run mode (0 forward, 1 data
// gradient, 2 filter gradient) of g.
func (l *Lib) im2colOK(mode int, g Conv2DGeom) bool {
	oh, ow := g.OutH(), g.OutW()
	switch mode {
	case 0:
		_, ok := l.im2colChunk(g.N, g.C*g.KH*g.KW*oh*ow, g.O*oh*ow)
		return ok
	case 1:
		if g.Stride != [2]int{1, 1} || g.Pad[0] > g.KH-1 || g.Pad[1] > g.KW-1 {
			return false
		}
		_, ok := l.im2colChunk(g.N, g.O*g.KH*g.KW*g.H*g.W, g.C*g.H*g.W)
		return ok
	}
	return l.convIm2colFilterOK(g)
}

// im2col records the unfolding of ni images of in (from element xoff,
// c channels of h x w) into cols with row stride rs and image stride is.
func (l *Lib) im2col(seq *vk.Sequence, in, cols *vk.Buffer, ni, xoff, c, h, w, oh, ow, kh, kw int, stride, pad [2]int, rs, is int, flip bool) error {
	vec := ow%4 == 0 && rs%4 == 0 && is%4 == 0
	consts := append(u32(kh, kw, stride[0], stride[1], pad[0], pad[1]), b2u(vec), b2u(flip))
	name := "im2col"
	if vec && l.Tuning.Im2colW64 && l.Dev.Info.ShaderInt64 {
		name = "im2col_w64" // half the stores (1.3-1.5x on lavapipe)
	}
	k, err := l.kernel1D(name, append(consts, u32(c, h, w, oh, ow)...)...)
	if err != nil {
		return err
	}
	n := ni * c * oh * ceilDiv(ow, 4)
	return seq.Dispatch(k, k.Groups(n), pushInts(ni, xoff, rs, is), in, cols)
}

// im2colTile is the device's SGEMM tile with its rows cut to cover m (the
// register tile computes, then drops, rows past m).
func (l *Lib) im2colTile(m int) (GemmTile, error) {
	t, err := l.GemmTileFor(GemmAuto)
	return cutRows(t, m), err
}

// view returns the values [off, off+n) of b (b itself when that is all of it).
func view(b *vk.Buffer, off, n int) (*vk.Buffer, error) {
	if off == 0 && n == b.Len() {
		return b, nil
	}
	return b.View(uint64(off)*4, uint64(n)*4)
}

// convIm2colFwd: per chunk, cols = im2col(x) and one batched GEMM y[i] =
// w [O, C*KH*KW] x cols[i] [C*KH*KW, OH*OW]; then y += bias[o].
func (l *Lib) convIm2colFwd(seq *vk.Sequence, x, w, bias, y *vk.Buffer, g Conv2DGeom, hasBias bool) error {
	oh, ow := g.OutH(), g.OutW()
	ohw, ckk := oh*ow, g.C*g.KH*g.KW
	if pointwise(g) {
		// x's images are their own columns: one batched GEMM, no copy.
		t, err := l.im2colTile(g.O)
		if err != nil {
			return err
		}
		if err := l.GemmWithTile(seq, t, false, false, g.O, ohw, g.C, 1, w, x, 0, y, g.N, 0, g.C*ohw, g.O*ohw); err != nil {
			return err
		}
		return l.addConvBias(seq, y, bias, g, hasBias)
	}
	per, perY := ckk*ohw, g.O*ohw
	chunk, ok := l.im2colChunk(g.N, per, perY)
	if !ok {
		return fmt.Errorf("kernels: conv2d im2col: %d images' columns exceed maxStorageBufferRange", chunk)
	}
	cols, err := l.convBuf(0, chunk*per)
	if err != nil {
		return err
	}
	t, err := l.im2colTile(g.O)
	if err != nil {
		return err
	}
	for n0 := 0; n0 < g.N; n0 += chunk {
		nb := min(chunk, g.N-n0)
		if err := l.im2col(seq, x, cols, nb, n0*g.C*g.H*g.W, g.C, g.H, g.W, oh, ow, g.KH, g.KW, g.Stride, g.Pad, ohw, per, false); err != nil {
			return err
		}
		yv := y
		if chunk < g.N {
			if yv, err = view(y, n0*perY, nb*perY); err != nil {
				return err
			}
		}
		if err := l.GemmWithTile(seq, t, false, false, g.O, ohw, ckk, 1, w, cols, 0, yv, nb, 0, per, perY); err != nil {
			return err
		}
	}
	return l.addConvBias(seq, y, bias, g, hasBias)
}

// pointwise reports whether g is a 1x1 convolution at stride 1 without
// padding (score_sde's NIN and skip convolutions): a product per image.
func pointwise(g Conv2DGeom) bool {
	return g.KH == 1 && g.KW == 1 && g.Stride == [2]int{1, 1} && g.Pad == [2]int{}
}

// addConvBias records y += bias[o] when hasBias.
func (l *Lib) addConvBias(seq *vk.Sequence, y, bias *vk.Buffer, g Conv2DGeom, hasBias bool) error {
	if !hasBias {
		return nil
	}
	return l.Binary(seq, Add, y, bias, y, []int{g.N, g.O, g.OutH() * g.OutW()}, []int{g.O, 1})
}

// pushInts packs ints as uint32 push constants.
func pushInts(v ...int) []byte {
	a := make([]any, len(v))
	for i, x := range v {
		a[i] = uint32(x)
	}
	return vk.Push(a...)
}

// convIm2colData (stride 1, padding at most K-1): the data gradient is the
// convolution of gy with the flipped, transposed kernel and padding K-1-P.
// Per chunk, cols = im2col(gy) with flipped rows and one batched GEMM
// gx[i] = wt [C, O*KH*KW] x cols[i], where wt[c][o][k] = w[o][c][k].
func (l *Lib) convIm2colData(seq *vk.Sequence, gy, w, gx *vk.Buffer, g Conv2DGeom) error {
	oh, ow := g.OutH(), g.OutW()
	kk, hw := g.KH*g.KW, g.H*g.W
	if pointwise(g) {
		// gx[i] = w^T gy[i]: w [O, C] is A stored K x M.
		t, err := l.im2colTile(g.C)
		if err != nil {
			return err
		}
		return l.GemmWithTile(seq, t, true, false, g.C, hw, g.O, 1, w, gy, 0, gx, g.N, 0, g.O*hw, g.C*hw)
	}
	per, perX := g.O*kk*hw, g.C*hw
	chunk, ok := l.im2colChunk(g.N, per, perX)
	if !ok {
		return fmt.Errorf("kernels: conv2d backward data im2col: %d images' columns exceed maxStorageBufferRange", chunk)
	}
	cols, err := l.convBuf(0, chunk*per)
	if err != nil {
		return err
	}
	wt, err := l.convBuf(1, g.O*g.C*kk)
	if err != nil {
		return err
	}
	if err := l.Transpose(seq, w, wt, []int{g.O, g.C, kk}, []int{1, 0, 2}); err != nil {
		return err
	}
	t, err := l.im2colTile(g.C)
	if err != nil {
		return err
	}
	pad := [2]int{g.KH - 1 - g.Pad[0], g.KW - 1 - g.Pad[1]}
	for n0 := 0; n0 < g.N; n0 += chunk {
		nb := min(chunk, g.N-n0)
		if err := l.im2col(seq, gy, cols, nb, n0*g.O*oh*ow, g.O, oh, ow, g.H, g.W, g.KH, g.KW, [2]int{1, 1}, pad, hw, per, true); err != nil {
			return err
		}
		xv := gx
		if chunk < g.N {
			if xv, err = view(gx, n0*perX, nb*perX); err != nil {
				return err
			}
		}
		if err := l.GemmWithTile(seq, t, false, false, g.C, hw, g.O*kk, 1, wt, cols, 0, xv, nb, 0, per, perX); err != nil {
			return err
		}
	}
	return nil
}

// convIm2colFilterOK reports whether the filter gradient's scratch fits.
func (l *Lib) convIm2colFilterOK(g Conv2DGeom) bool {
	ohw := g.OutH() * g.OutW()
	chunk, ok := l.im2colChunk(g.N, g.C*g.KH*g.KW*ohw, 0)
	lim := l.Dev.Info.Limits.MaxStorageBufferRange / 4
	return ok && (lim == 0 || uint64(chunk*g.O*ohw) <= lim)
}

// convIm2colFilter: per chunk of nb images, cols = im2col(x) as one
// [C*KH*KW, nb*OH*OW] matrix, gyT = gy's chunk as [O, nb*OH*OW], and
// gw (+)= gyT x cols^T (beta 1 after the first chunk).
func (l *Lib) convIm2colFilter(seq *vk.Sequence, x, gy, gw *vk.Buffer, g Conv2DGeom) error {
	if l.pointwiseFilterOK(g) {
		return l.pointwiseFilter(seq, x, gy, gw, g)
	}
	oh, ow := g.OutH(), g.OutW()
	ohw, ckk := oh*ow, g.C*g.KH*g.KW
	per := ckk * ohw
	chunk, _ := l.im2colChunk(g.N, per, 0)
	if l.Tuning.LoopLimited { // keep each product's sum over positions short
		chunk = min(chunk, max(1, limitedGemmK/ohw))
	}
	cols, err := l.convBuf(0, chunk*per)
	if err != nil {
		return err
	}
	gyT, err := l.convBuf(2, chunk*g.O*ohw)
	if err != nil {
		return err
	}
	t, err := l.im2colTile(g.O)
	if err != nil {
		return err
	}
	for n0 := 0; n0 < g.N; n0 += chunk {
		nb := min(chunk, g.N-n0)
		if err := l.im2col(seq, x, cols, nb, n0*g.C*g.H*g.W, g.C, g.H, g.W, oh, ow, g.KH, g.KW, g.Stride, g.Pad, nb*ohw, ohw, false); err != nil {
			return err
		}
		if err := l.StridedCopy(seq, gy, gyT, []int{nb, g.O, ohw}, n0*g.O*ohw, []int{g.O * ohw, ohw, 1}, 0, []int{ohw, nb * ohw, 1}); err != nil {
			return err
		}
		beta := float32(1)
		if n0 == 0 {
			beta = 0
		}
		if err := l.GemmWithTile(seq, t, false, true, g.O, ckk, nb*ohw, 1, gyT, cols, beta, gw, 1, 0, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// pointwiseFilterOK reports whether pointwiseFilter's per-image products
// fit the scratch.
func (l *Lib) pointwiseFilterOK(g Conv2DGeom) bool {
	hw := g.H * g.W
	return pointwise(g) && g.N*g.O*g.C*4 <= l.Tuning.ConvIm2colScratchBytes && (!l.Tuning.LoopLimited || hw <= limitedGemmK)
}

// pointwiseFilter: the filter gradient of a 1x1 convolution, gw = sum_n
// gy[n] x[n]^T, as one batched product of the images as they lie (gy[n]
// [O, HW] times x[n] [C, HW] transposed) into per-image partials, then
// their sum over the images: no copies of x or gy into columns.
func (l *Lib) pointwiseFilter(seq *vk.Sequence, x, gy, gw *vk.Buffer, g Conv2DGeom) error {
	hw, oc := g.H*g.W, g.O*g.C
	part, err := l.convBuf(3, g.N*oc)
	if err != nil {
		return err
	}
	t, err := l.im2colTile(g.O)
	if err != nil {
		return err
	}
	if err := l.GemmWithTile(seq, t, false, true, g.O, g.C, hw, 1, gy, x, 0, part, g.N, g.O*hw, g.C*hw, oc); err != nil {
		return err
	}
	rs, err := l.ReduceScratch()
	if err != nil {
		return err
	}
	return l.Reduce(seq, ReduceSum, part, gw, rs, 1, g.N, oc, 1)
}
