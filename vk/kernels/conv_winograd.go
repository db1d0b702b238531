package kernels

import (
	"github.com/sdevk/sdevk/vk"
)

// Winograd F(2x2, 3x3) (Lavin and Gray, 2016) computes a 3x3 stride-1
// convolution tile by tile: each 2x2 block of outputs is A^T [(G g G^T) .*
// (B^T d B)] A for its 4x4 input window d, so per tile and channel pair the
// products shrink from 36 multiply-adds to 16. Summed over the input
// channels, frequency f's products are one matrix product
//
//	M_f [Mo, T] = U_f [Mo, K] x V_f [K, T]
//
// (U: transformed filters, V: transformed input tiles, T tiles), so the
// work is three light transforms around 16 products of a batched GEMM on
// the device's fast SGEMM: 2.25x fewer multiply-adds than im2col's product,
// and 4 transformed values per input value instead of im2col's 9. The data
// gradient of a stride-1 convolution is itself such a convolution (of the
// output gradient with the flipped, transposed kernel), so it takes the
// same path.
//
// The filter gradient of F(4x4, 3x3) is the adjoint of the forward pass:
// with dM = A gy A^T the gradient of each tile's products, frequency f's
// filter gradient is one product summed over the tiles,
//
//	dU_f [Mo, K] = dM_f [Mo, T] x V_f [K, T]^T,
//
// and gw = G^T dU G (winograd4_gy, winograd4_filter_grad): the same 4x
// fewer multiply-adds than im2col's product, now in long sums. F(2x2, 3x3)
// leaves the filter gradient to im2col.
//
// F(4x4, 3x3) (Tuning.WinogradTile 4, the CPU preset's) takes 6x6 windows
// to 4x4 outputs: 36 products per 16 outputs instead of 16 per 4, so its
// GEMM, transformed inputs and products shrink by a further 0.56x, while
// its transformed filters grow 2.25x (the winograd4_* shaders).

// winogradOK reports whether Winograd computes a convolution of 3x3 kernels
// with the given stride and padding over k input channels: stride 1,
// padding at most 2 (the window's overhang), and k a multiple of 4 so the
// products load vec4s (narrower inputs, the image's own channels, are
// cheap on any path).
func winogradOK(kh, kw int, stride, pad [2]int, k int) bool {
	return kh == 3 && kw == 3 && stride == [2]int{1, 1} && pad[0] <= 2 && pad[1] <= 2 && k%4 == 0
}

// winogradGeom is one Winograd convolution: n images of k channels of h x w
// in, m channels of oh x ow out, in r x r output tiles (2 or 4).
type winogradGeom struct {
	n, k, h, w, m, oh, ow int
	pad                   [2]int
	r                     int
}

func (g winogradGeom) tiles() (th, tw int) { return ceilDiv(g.oh, g.r), ceilDiv(g.ow, g.r) }

// freqs is the number of frequencies, the (r+2)^2 values of a window and
// the batch of the GEMM.
func (g winogradGeom) freqs() int { return (g.r + 2) * (g.r + 2) }

// shader names the tile size's transform: winograd_NAME for F(2x2, 3x3),
// winograd4_NAME for F(4x4, 3x3).
func (g winogradGeom) shader(name string) string {
	if g.r == 4 {
		return "winograd4_" + name
	}
	return "winograd_" + name
}

// winogradR is the output tile of Tuning.WinogradTile (2 unless it is 4).
func (l *Lib) winogradR() int {
	if l.Tuning.WinogradTile == 4 {
		return 4
	}
	return 2
}

// chunk is the images per chunk: the transformed input and the products of
// a chunk fit Tuning.ConvIm2colScratchBytes (at least one image); false
// when one image's, or the transformed filters, exceed
// maxStorageBufferRange.
func (l *Lib) winogradChunk(g winogradGeom) (int, bool) {
	th, tw := g.tiles()
	per := g.freqs() * max(g.k, g.m) * th * tw
	chunk := min(g.n, max(1, l.Tuning.ConvIm2colScratchBytes/4/per))
	if l.Tuning.ConvIm2colChunk > 0 {
		chunk = min(chunk, l.Tuning.ConvIm2colChunk)
	}
	lim := l.Dev.Info.Limits.MaxStorageBufferRange / 4
	fits := func(n int) bool { return lim == 0 || uint64(n) <= lim }
	return chunk, fits(g.freqs()*max(g.k, g.m)*(ceilDiv(chunk*th*tw, 4)*4)) && fits(g.freqs()*g.m*g.k)
}

// winogradFit is g with the tuning's tile, or F(2x2, 3x3)'s when F(4x4,
// 3x3)'s transformed filters (2.25x larger) exceed the device's buffer
// range; false when neither fits.
func (l *Lib) winogradFit(g winogradGeom) (winogradGeom, bool) {
	g.r = l.winogradR()
	if _, ok := l.winogradChunk(g); ok || g.r == 2 {
		return g, ok
	}
	g.r = 2
	_, ok := l.winogradChunk(g)
	return g, ok
}

// convWinograd records out = the convolution of in with the 3x3 kernels of
// w (+ bias[o] when hasBias): w is [m, k, 3, 3], or with flip [k, m, 3, 3]
// used flipped (the data gradient). wo, wc are w's first two dimensions.
// With save (WinogradInputSave values), the transformed input stays there,
// chunk after chunk, for the filter gradient (filterChunk's chunks).
func (l *Lib) convWinograd(seq *vk.Sequence, in, w, bias, out *vk.Buffer, g winogradGeom, flip, hasBias bool, wo, wc int, save *vk.Buffer) error {
	th, tw := g.tiles()
	chunk, _ := l.winogradChunk(g)
	if save != nil {
		chunk = l.filterChunk(g)
	}
	tpMax := ceilDiv(chunk*th*tw, 4) * 4
	nf := g.freqs()
	u, err := l.convBuf(1, nf*g.m*g.k)
	if err != nil {
		return err
	}
	v, err := l.convBuf(0, nf*g.k*tpMax)
	if err != nil {
		return err
	}
	prod, err := l.convBuf(2, nf*g.m*tpMax)
	if err != nil {
		return err
	}
	kf, err := l.kernel1D(g.shader("filter"), b2u(flip))
	if err != nil {
		return err
	}
	if err := seq.Dispatch(kf, kf.Groups(wo*wc), pushInts(wo, wc), w, u); err != nil {
		return err
	}
	kin, err := l.kernel1D(g.shader("input"), u32(g.k, g.h, g.w, g.pad[0], g.pad[1], th, tw)...)
	if err != nil {
		return err
	}
	kout, err := l.kernel1D(g.shader("output"), append(u32(g.m, g.oh, g.ow, th, tw), b2u(hasBias))...)
	if err != nil {
		return err
	}
	tile, err := l.winogradTile(g.m)
	if err != nil {
		return err
	}
	for n0 := 0; n0 < g.n; n0 += chunk {
		nb := min(chunk, g.n-n0)
		tp := ceilDiv(nb*th*tw, 4) * 4
		if save != nil {
			if v, err = view(save, n0/chunk*nf*g.k*tpMax, nf*g.k*tp); err != nil {
				return err
			}
		}
		if err := seq.Dispatch(kin, kin.Groups(g.k*tp/4), pushInts(nb, n0*g.k*g.h*g.w, tp), in, v); err != nil {
			return err
		}
		if err := l.GemmWithTile(seq, tile, false, false, g.m, tp, g.k, 1, u, v, 0, prod, nf, g.m*g.k, g.k*tp, g.m*tp); err != nil {
			return err
		}
		if err := seq.Dispatch(kout, kout.Groups(g.m*tp/4), pushInts(nb, n0*g.m*g.oh*g.ow, tp), prod, bias, out); err != nil {
			return err
		}
	}
	return nil
}

// winogradFwd is the forward convolution's geometry, ok when Winograd
// computes it within the device's limits.
func (l *Lib) winogradFwd(g Conv2DGeom) (winogradGeom, bool) {
	wg := winogradGeom{n: g.N, k: g.C, h: g.H, w: g.W, m: g.O, oh: g.OutH(), ow: g.OutW(), pad: g.Pad}
	if !winogradOK(g.KH, g.KW, g.Stride, g.Pad, g.C) {
		return wg, false
	}
	return l.winogradFit(wg)
}

// winogradData is the data gradient's geometry (the convolution of gy with
// the flipped kernel at padding 2-P), ok when Winograd computes it.
func (l *Lib) winogradData(g Conv2DGeom) (winogradGeom, bool) {
	pad := [2]int{g.KH - 1 - g.Pad[0], g.KW - 1 - g.Pad[1]}
	wg := winogradGeom{n: g.N, k: g.O, h: g.OutH(), w: g.OutW(), m: g.C, oh: g.H, ow: g.W, pad: pad}
	if !winogradOK(g.KH, g.KW, g.Stride, g.Pad, g.O) || pad[0] < 0 || pad[1] < 0 {
		return wg, false
	}
	return l.winogradFit(wg)
}

// winogradFilter is the filter gradient's geometry, ok when Winograd
// computes it within the device's limits: F(4x4, 3x3) only.
func (l *Lib) winogradFilter(g Conv2DGeom) (winogradGeom, bool) {
	wg := winogradGeom{n: g.N, k: g.C, h: g.H, w: g.W, m: g.O, oh: g.OutH(), ow: g.OutW(), pad: g.Pad, r: 4}
	if l.winogradR() != 4 || !winogradOK(g.KH, g.KW, g.Stride, g.Pad, g.C) {
		return wg, false
	}
	_, ok := l.winogradChunk(wg)
	return wg, ok
}

// convWinogradFilter records gw = the filter gradient of the 3x3 kernels of
// g for input x and output gradient gy: per chunk, V = the input transform
// of x, D = the output-gradient transform of gy (zeros past the tiles),
// and dU (+)= D x V^T per frequency (beta 1 after the first chunk); then
// gw = G^T dU G.
//
// With saved (the forward's transformed input, Conv2DSaving), the input
// transform is not recomputed.
func (l *Lib) convWinogradFilter(seq *vk.Sequence, x, gy, gw *vk.Buffer, g winogradGeom, saved *vk.Buffer) error {
	th, tw := g.tiles()
	chunk := l.filterChunk(g)
	tpMax := ceilDiv(chunk*th*tw, 4) * 4
	nf := g.freqs()
	v, err := l.convBuf(0, nf*g.k*tpMax)
	if err != nil {
		return err
	}
	d, err := l.convBuf(2, nf*g.m*tpMax)
	if err != nil {
		return err
	}
	du, err := l.convBuf(1, nf*g.m*g.k)
	if err != nil {
		return err
	}
	kin, err := l.kernel1D(g.shader("input"), u32(g.k, g.h, g.w, g.pad[0], g.pad[1], th, tw)...)
	if err != nil {
		return err
	}
	kgy, err := l.kernel1D(g.shader("gy"), u32(g.m, g.oh, g.ow, th, tw)...)
	if err != nil {
		return err
	}
	tile, err := l.im2colTile(g.m)
	if err != nil {
		return err
	}
	for n0 := 0; n0 < g.n; n0 += chunk {
		nb := min(chunk, g.n-n0)
		tp := ceilDiv(nb*th*tw, 4) * 4
		if saved != nil {
			if v, err = view(saved, n0/chunk*nf*g.k*tpMax, nf*g.k*tp); err != nil {
				return err
			}
		} else if err := seq.Dispatch(kin, kin.Groups(g.k*tp/4), pushInts(nb, n0*g.k*g.h*g.w, tp), x, v); err != nil {
			return err
		}
		if err := seq.Dispatch(kgy, kgy.Groups(g.m*tp/4), pushInts(nb, n0*g.m*g.oh*g.ow, tp), gy, d); err != nil {
			return err
		}
		beta := float32(1)
		if n0 == 0 {
			beta = 0
		}
		if err := l.GemmWithTile(seq, tile, false, true, g.m, g.k, tp, 1, d, v, beta, du, nf, g.m*tp, g.k*tp, g.m*g.k); err != nil {
			return err
		}
	}
	kf, err := l.kernel1D(g.shader("filter_grad"))
	if err != nil {
		return err
	}
	return seq.Dispatch(kf, kf.Groups(g.m*g.k), pushInts(g.m, g.k), du, gw)
}

// filterChunk is the images per chunk of the filter gradient (and of a
// forward pass that saves its transformed input for it): winogradChunk's,
// cut on a loop-limited device so that each product's sum over the tiles
// stays short.
func (l *Lib) filterChunk(g winogradGeom) int {
	chunk, _ := l.winogradChunk(g)
	if l.Tuning.LoopLimited {
		th, tw := g.tiles()
		chunk = min(chunk, max(1, limitedGemmK/(th*tw)))
	}
	return chunk
}

// WinogradInputSave is the length of the buffer in which a forward
// convolution of geometry g keeps its transformed input for its filter
// gradient (Conv2DSaving, Conv2DBackFilterSaved), 0 when they cannot share
// it: when either does not run F(4x4, 3x3), or its chunks would not start
// at view-aligned offsets. The buffer is 2.25 times the input (36 values
// per 16).
func (l *Lib) WinogradInputSave(g Conv2DGeom) int {
	g = g.Norm()
	if g.Check() != nil || l.convVariant(ConvAuto) != ConvWinograd {
		return 0
	}
	fwd, ok := l.winogradFwd(g)
	if _, okf := l.winogradFilter(g); !ok || !okf || fwd.r != 4 {
		return 0
	}
	chunk := l.filterChunk(fwd)
	th, tw := fwd.tiles()
	per := fwd.freqs() * fwd.k * ceilDiv(chunk*th*tw, 4) * 4
	chunks := ceilDiv(fwd.n, chunk)
	if chunks > 1 && uint64(4*per)%l.Dev.ViewAlign() != 0 {
		return 0
	}
	return chunks * per
}

// winogradTile is the register SGEMM tile of the Winograd products, with
// Tuning.WinogradGemmTM rows per invocation when set (their sums are
// short), cut to m rows.
func (l *Lib) winogradTile(m int) (GemmTile, error) {
	t, err := l.GemmTileFor(GemmAuto)
	if err != nil {
		return t, err
	}
	if t.Variant == GemmReg && l.Tuning.WinogradGemmTM > 0 {
		t.TM = l.Tuning.WinogradGemmTM
	}
	return cutRows(t, m), nil
}
