package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

var convCases = []Conv2DGeom{
	{N: 2, C: 3, H: 5, W: 5, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}},                        // scalar loads
	{N: 2, C: 3, H: 7, W: 8, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}},                        // vec4 loads
	{N: 2, C: 5, H: 8, W: 8, O: 17, KH: 3, KW: 3, Stride: [2]int{2, 2}, Pad: [2]int{1, 1}}, // stride 2
	{N: 2, C: 4, H: 6, W: 6, O: 3, KH: 1, KW: 1},                                           // 1x1
	{N: 1, C: 2, H: 9, W: 12, O: 5, KH: 5, KW: 5, Pad: [2]int{2, 2}},                       // 5x5
	{N: 2, C: 3, H: 7, W: 5, O: 4, KH: 3, KW: 3},                                           // no padding
	{N: 1, C: 2, H: 4, W: 4, O: 3, KH: 1, KW: 1, Pad: [2]int{1, 1}},                        // padding above K-1
	{N: 2, C: 3, H: 7, W: 8, O: 6, KH: 3, KW: 2, Stride: [2]int{2, 1}, Pad: [2]int{1, 0}},  // mixed
	{N: 3, C: 6, H: 16, W: 16, O: 20, KH: 3, KW: 3, Pad: [2]int{1, 1}},                     // several workgroups
	{N: 2, C: 9, H: 5, W: 7, O: 33, KH: 3, KW: 3, Stride: [2]int{1, 3}, Pad: [2]int{1, 2}}, // odd everything
	{N: 5, C: 3, H: 8, W: 8, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}},                        // im2col chunks of 1 image
	{N: 7, C: 2, H: 6, W: 5, O: 8, KH: 3, KW: 2, Stride: [2]int{1, 2}, Pad: [2]int{1, 1}},  // im2col ragged chunks
	{N: 3, C: 4, H: 7, W: 9, O: 8, KH: 3, KW: 3, Pad: [2]int{1, 1}},                        // Winograd: odd outputs, ragged chunks
	{N: 2, C: 8, H: 6, W: 5, O: 12, KH: 3, KW: 3},                                          // Winograd forward at padding 0, data gradient at 2
	{N: 2, C: 12, H: 5, W: 6, O: 5, KH: 3, KW: 3, Pad: [2]int{2, 1}},                       // Winograd forward at padding 2; O not whole vec4s
	{N: 5, C: 4, H: 8, W: 8, O: 8, KH: 3, KW: 3, Pad: [2]int{1, 1}},                        // F(4x4) rows stored as vec4s, over chunks
	{N: 5, C: 8, H: 7, W: 6, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}},                        // F(4x4) rows stored as vec2s, over chunks
}

// TestConv2D runs with ConvIm2col chunks of at most convTestChunk images
// (rounded up to keep outputs view-aligned), so the batch spans chunks.
const convTestChunk = 2

func TestConv2D(t *testing.T) {
	l := testLib(t)
	l.Tuning.ConvIm2colChunk = convTestChunk
	rng := rand.New(rand.NewPCG(13, 14))
	for _, g := range convCases {
		testConvGeom(t, l, rng, g)
	}
	run(t, l, func(seq *vk.Sequence) error {
		b := newBuf(t, l, 16)
		if err := l.Conv2D(seq, b, b, nil, b, Conv2DGeom{N: 1, C: 1, H: 2, W: 2, O: 1, KH: 3, KW: 3}); err == nil {
			t.Error("a kernel larger than the input was accepted")
		}
		return nil
	})
}

// TestConvTiledSplitK: ConvTiled's filter gradient split along K into
// slices (uneven ones included) matches the unsplit reference.
func TestConvTiledSplitK(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(15, 16))
	g := Conv2DGeom{N: 3, C: 2, H: 11, W: 13, O: 5, KH: 3, KW: 3, Pad: [2]int{1, 1}} // K = 429
	nx, nw, ny := g.N*g.C*g.H*g.W, g.O*g.C*g.KH*g.KW, g.N*g.O*g.OutH()*g.OutW()
	x, gy := randn(rng, nx, 1, 0), randn(rng, ny, 1, 0)
	want := ref.Conv2DBackFilter(x, gy, g)
	xb, gyb := upload(t, l, x), upload(t, l, gy)
	tile, err := l.tiledTile()
	if err != nil {
		t.Fatal(err)
	}
	for _, split := range []int{1, 3, 7, 1000} {
		l.Tuning.ConvSplitGroups = split
		slices := convSlices(split, 1, g.N*g.OutH()*g.OutW(), int(tile.BK))
		if split > 1 && slices < 2 {
			t.Fatalf("ConvSplitGroups %d gives %d slices", split, slices)
		}
		gwb := newBuf(t, l, nw)
		run(t, l, func(seq *vk.Sequence) error { return l.Conv2DBackFilterWith(seq, ConvTiled, xb, gyb, gwb, g) })
		vktest.Close(t, fmt.Sprintf("gw in %d slices", slices), download(t, gwb, nw), want, 1e-4, 1e-4)
	}
}

// TestConvIm2colVec4Stores covers im2col's vec4 stores (devices without
// shaderInt64) on shapes whose rows are whole vec4s.
func TestConvIm2colVec4Stores(t *testing.T) {
	l := testLib(t)
	l.Tuning.Im2colW64 = false
	rng := rand.New(rand.NewPCG(17, 18))
	g := Conv2DGeom{N: 2, C: 3, H: 7, W: 8, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}}
	nx, nw, ny := g.N*g.C*g.H*g.W, g.O*g.C*g.KH*g.KW, g.N*g.O*g.OutH()*g.OutW()
	x, w := randn(rng, nx, 1, 0), randn(rng, nw, 1, 0)
	want := ref.Conv2D(x, w, nil, g)
	xb, wb, yb := upload(t, l, x), upload(t, l, w), newBuf(t, l, ny)
	run(t, l, func(seq *vk.Sequence) error { return l.Conv2DWith(seq, ConvIm2col, xb, wb, nil, yb, g) })
	vktest.Close(t, "conv2d with vec4 im2col stores", download(t, yb, ny), want, 1e-4, 1e-4)
}

// testConvGeom checks every variant's forward (with and without bias), data,
// filter and bias gradients of geometry g against the float64 reference.
func testConvGeom(t *testing.T, l *Lib, rng *rand.Rand, g Conv2DGeom) {
	t.Helper()
	nx, nw, ny := g.N*g.C*g.H*g.W, g.O*g.C*g.KH*g.KW, g.N*g.O*g.OutH()*g.OutW()
	// Weights and output gradients scaled by 1/sqrt(fan-in) as in a
	// network, so that long sums stay O(1) and the tolerance meaningful.
	fanW, fanGY := math.Sqrt(float64(g.C*g.KH*g.KW)), math.Sqrt(float64(g.N*g.OutH()*g.OutW()))
	x, w, b, gy := randn(rng, nx, 1, 0), randn(rng, nw, 1/fanW, 0), randn(rng, g.O, 1, 0), randn(rng, ny, 1/fanGY, 0)
	wantY := ref.Conv2D(x, w, b, g)
	wantY0 := ref.Conv2D(x, w, nil, g)
	wantGX := ref.Conv2DBackData(gy, w, g)
	wantGW := ref.Conv2DBackFilter(x, gy, g)
	wantGB := ref.Conv2DBiasGrad(gy, g)
	xb, wb, bb, gyb := upload(t, l, x), upload(t, l, w), upload(t, l, b), upload(t, l, gy)
	for _, vt := range []struct {
		v    ConvVariant
		tile uint32
	}{{ConvReg, 4}, {ConvTiled, 4}, {ConvIm2col, 4}, {ConvWinograd, 2}, {ConvWinograd, 4}} {
		v := vt.v
		l.Tuning.WinogradTile = vt.tile
		name := fmt.Sprintf("%+v variant %v (Winograd tile %d)", g, v, vt.tile)
		yb, y0, gxb, gwb, gbb := newBuf(t, l, ny), newBuf(t, l, ny), newBuf(t, l, nx), newBuf(t, l, nw), newBuf(t, l, g.O)
		run(t, l, func(seq *vk.Sequence) error {
			if err := l.Conv2DWith(seq, v, xb, wb, bb, yb, g); err != nil {
				return err
			}
			if err := l.Conv2DWith(seq, v, xb, wb, nil, y0, g); err != nil {
				return err
			}
			if err := l.Conv2DBackDataWith(seq, v, gyb, wb, gxb, g); err != nil {
				return err
			}
			if err := l.Conv2DBackFilterWith(seq, v, xb, gyb, gwb, g); err != nil {
				return err
			}
			return l.Conv2DBiasGrad(seq, gyb, gbb, g)
		})
		vktest.Close(t, name+" y", download(t, yb, ny), wantY, 1e-4, 1e-4)
		vktest.Close(t, name+" y (no bias)", download(t, y0, ny), wantY0, 1e-4, 1e-4)
		vktest.Close(t, name+" gx", download(t, gxb, nx), wantGX, 1e-4, 1e-4)
		vktest.Close(t, name+" gw", download(t, gwb, nw), wantGW, 1e-4, 1e-4)
		vktest.Close(t, name+" gb", download(t, gbb, g.O), wantGB, 1e-4, 1e-4)
	}
}

// TestConv2DUNetShapes runs every variant at score_sde's U-Net shapes where
// one dimension is large and the rest are kept small: 256x256 images, 512
// channels, the strided down- and up-sampling convolutions and the 1x1
// (NIN) products.
func TestConv2DUNetShapes(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(19, 20))
	for _, g := range []Conv2DGeom{
		{N: 1, C: 3, H: 256, W: 256, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}},    // conv_in at 256
		{N: 1, C: 3, H: 129, W: 129, O: 4, KH: 3, KW: 3, Stride: [2]int{2, 2}}, // DDPM's Downsample, and the transposed conv of FIRUpsampleConv2D
		{N: 1, C: 512, H: 4, W: 4, O: 24, KH: 3, KW: 3, Pad: [2]int{1, 1}},     // the deepest 3x3: 4608-long sums
		{N: 1, C: 512, H: 8, W: 8, O: 256, KH: 1, KW: 1},                       // NIN / skip 1x1
		{N: 32, C: 3, H: 64, W: 64, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}},     // a filter-gradient sum over 131072 positions, as CIFAR-10 batch 128
	} {
		testConvGeom(t, l, rng, g)
	}
}

// TestConv2DBackFilterLongSums: a filter gradient summing 262144 positions
// (CelebA's 64x64 at batch 64) in every variant. On llvmpipe one GEMM or
// conv2d_reg_wgrad invocation looping that long was silently cut short
// (looplimit.go). Winograd sums 16384 tiles per frequency.
func TestConv2DBackFilterLongSums(t *testing.T) {
	l := testLib(t)
	l.Tuning.WinogradTile = 4
	rng := rand.New(rand.NewPCG(21, 22))
	g := Conv2DGeom{N: 16, C: 4, H: 128, W: 128, O: 3, KH: 3, KW: 3, Pad: [2]int{1, 1}}
	nx, nw, ny := g.N*g.C*g.H*g.W, g.O*g.C*g.KH*g.KW, g.N*g.O*g.OutH()*g.OutW()
	x, gy := randn(rng, nx, 1, 0), randn(rng, ny, 1/math.Sqrt(float64(ny/g.O)), 0)
	want := ref.Conv2DBackFilter(x, gy, g)
	xb, gyb := upload(t, l, x), upload(t, l, gy)
	if _, ok := l.winogradFilter(g.Norm()); !ok {
		t.Fatalf("%+v: no Winograd filter gradient", g)
	}
	for _, v := range []ConvVariant{ConvReg, ConvTiled, ConvIm2col, ConvWinograd} {
		gw := newBuf(t, l, nw)
		run(t, l, func(seq *vk.Sequence) error { return l.Conv2DBackFilterWith(seq, v, xb, gyb, gw, g) })
		vktest.Close(t, fmt.Sprintf("gw variant %v", v), download(t, gw, nw), want, 1e-4, 1e-4)
	}
}

// TestConvWinogradShapes: the Winograd cases of convCases take the Winograd
// path (TestConv2D checks their values), and shapes it cannot compute do
// not. The filter gradient takes it with F(4x4, 3x3) only.
func TestConvWinogradShapes(t *testing.T) {
	l := testLib(t)
	for _, c := range []struct {
		g                 Conv2DGeom
		fwd, data, filter bool
	}{
		{convCases[len(convCases)-5], true, true, true},
		{convCases[len(convCases)-4], true, true, true},
		{convCases[len(convCases)-3], true, false, true}, // O = 5: the data gradient's sums are not whole vec4s
		{convCases[len(convCases)-2], true, true, true},
		{convCases[len(convCases)-1], true, true, true},
		{Conv2DGeom{N: 1, C: 4, H: 8, W: 8, O: 4, KH: 3, KW: 3, Stride: [2]int{2, 2}, Pad: [2]int{1, 1}}, false, false, false},
		{Conv2DGeom{N: 1, C: 4, H: 8, W: 8, O: 4, KH: 5, KW: 5, Pad: [2]int{2, 2}}, false, false, false},
		{Conv2DGeom{N: 1, C: 3, H: 8, W: 8, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}}, false, true, false},
	} {
		g := c.g.Norm()
		for _, tile := range []uint32{2, 4} {
			l.Tuning.WinogradTile = tile
			if _, ok := l.winogradFwd(g); ok != c.fwd {
				t.Errorf("%+v, tile %d: Winograd forward %v, want %v", g, tile, ok, c.fwd)
			}
			if _, ok := l.winogradData(g); ok != c.data {
				t.Errorf("%+v, tile %d: Winograd data gradient %v, want %v", g, tile, ok, c.data)
			}
			if _, ok := l.winogradFilter(g); ok != (c.filter && tile == 4) {
				t.Errorf("%+v, tile %d: Winograd filter gradient %v, want %v", g, tile, ok, c.filter && tile == 4)
			}
		}
	}
	// 1024 -> 1024 channels: F(4x4, 3x3)'s transformed filters (36 per
	// kernel) exceed lavapipe's 128 MiB buffer range, so F(2x2, 3x3) runs.
	l.Tuning.WinogradTile = 4
	big := Conv2DGeom{N: 1, C: 1024, H: 4, W: 4, O: 1024, KH: 3, KW: 3, Pad: [2]int{1, 1}}.Norm()
	wantR := 4
	if lim := l.Dev.Info.Limits.MaxStorageBufferRange; lim > 0 && uint64(36*1024*1024*4) > lim {
		wantR = 2
	}
	if wg, ok := l.winogradFwd(big); !ok || wg.r != wantR {
		t.Errorf("%+v: Winograd forward %v with F(%dx%d, 3x3), want F(%dx%d, 3x3)", big, ok, wg.r, wg.r, wantR, wantR)
	}
}

// TestConv2DSaving: a forward pass that keeps its Winograd input transform
// and the filter gradient that reads it back match the references, in one
// chunk and over chunks; shapes without the transform are refused.
func TestConv2DSaving(t *testing.T) {
	l := testLib(t)
	l.Tuning.WinogradTile = 4
	rng := rand.New(rand.NewPCG(23, 24))
	for _, c := range []struct {
		g     Conv2DGeom
		chunk int
	}{
		{Conv2DGeom{N: 3, C: 8, H: 9, W: 7, O: 5, KH: 3, KW: 3, Pad: [2]int{1, 1}}, 0},
		{Conv2DGeom{N: 5, C: 4, H: 8, W: 8, O: 8, KH: 3, KW: 3, Pad: [2]int{1, 1}}, 2},
	} {
		l.Tuning.ConvIm2colChunk = c.chunk
		g := c.g
		n := l.WinogradInputSave(g)
		if n == 0 {
			t.Fatalf("%+v: no saved transform", g)
		}
		nx, nw, ny := g.N*g.C*g.H*g.W, g.O*g.C*g.KH*g.KW, g.N*g.O*g.OutH()*g.OutW()
		fanW, fanGY := math.Sqrt(float64(g.C*9)), math.Sqrt(float64(g.N*g.OutH()*g.OutW()))
		x, w, b, gy := randn(rng, nx, 1, 0), randn(rng, nw, 1/fanW, 0), randn(rng, g.O, 1, 0), randn(rng, ny, 1/fanGY, 0)
		xb, wb, bb, gyb := upload(t, l, x), upload(t, l, w), upload(t, l, b), upload(t, l, gy)
		yb, gwb, save := newBuf(t, l, ny), newBuf(t, l, nw), newBuf(t, l, n)
		run(t, l, func(seq *vk.Sequence) error {
			if err := l.Conv2DSaving(seq, xb, wb, bb, yb, save, g); err != nil {
				return err
			}
			return l.Conv2DBackFilterSaved(seq, xb, gyb, gwb, save, g)
		})
		name := fmt.Sprintf("%+v in chunks of %d", g, c.chunk)
		vktest.Close(t, name+" y", download(t, yb, ny), ref.Conv2D(x, w, b, g), 1e-4, 1e-4)
		vktest.Close(t, name+" gw", download(t, gwb, nw), ref.Conv2DBackFilter(x, gy, g), 1e-4, 1e-4)
	}
	l.Tuning.ConvIm2colChunk = 0
	bad := Conv2DGeom{N: 1, C: 3, H: 8, W: 8, O: 4, KH: 3, KW: 3, Pad: [2]int{1, 1}}
	if n := l.WinogradInputSave(bad); n != 0 {
		t.Errorf("%+v: saved transform of %d values for 3 input channels", bad, n)
	}
	b := newBuf(t, l, 1024)
	run(t, l, func(seq *vk.Sequence) error {
		if err := l.Conv2DSaving(seq, b, b, nil, b, b, bad); err == nil {
			t.Errorf("%+v: Conv2DSaving accepted a shape without a saved transform", bad)
		}
		return nil
	})
}
