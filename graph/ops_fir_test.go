package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/optest/fd"
	"github.com/sdevk/sdevk/graph/ref"
)

// score_sde's fir_kernel.
var firK = []float64{1, 3, 3, 1}

// setupKernel is score_sde's _setup_kernel(k1d) * scale.
func setupKernel(k1d []float64, scale float64) []float64 {
	var sum float64
	k := make([]float64, 0, len(k1d)*len(k1d))
	for _, a := range k1d {
		for _, b := range k1d {
			k = append(k, a*b)
			sum += a * b
		}
	}
	for i := range k {
		k[i] *= scale / sum
	}
	return k
}

// pyFloorDiv is Python's //.
func pyFloorDiv(a, b int) int {
	if a < 0 && a%b != 0 {
		return a/b - 1
	}
	return a / b
}

func upfirdn(x []float64, planes, h, w int, k []float64, kn, up, down, p0, p1 int) []float64 {
	return ref.UpFirDn2D(x, k, ref.UpFirDn2DGeom{Planes: planes, H: h, W: w, K: kn, Up: up, Down: down,
		Pad: [2][2]int{{p0, p1}, {p0, p1}}})
}

// convTranspose2D is PyTorch's conv_transpose2d(x, wt, stride=s) (no
// padding) for x[N,C,H,W] and wt[C,O,K,K]: every input sample scatters
// wt times itself into the output at s*i + kernel offset.
func convTranspose2D(x, wt []float64, n, c, h, w, o, k, s int) ([]float64, int, int) {
	oh, ow := (h-1)*s+k, (w-1)*s+k
	y := make([]float64, n*o*oh*ow)
	for b := 0; b < n; b++ {
		for ci := 0; ci < c; ci++ {
			for i := 0; i < h; i++ {
				for j := 0; j < w; j++ {
					v := x[((b*c+ci)*h+i)*w+j]
					for oi := 0; oi < o; oi++ {
						for a := 0; a < k; a++ {
							for d := 0; d < k; d++ {
								y[((b*o+oi)*oh+i*s+a)*ow+j*s+d] += v * wt[((ci*o+oi)*k+a)*k+d]
							}
						}
					}
				}
			}
		}
	}
	return y, oh, ow
}

// upsampleConv2D is score_sde's upsample_conv_2d for w[O,C,K,K], written
// out: flip and permute w, transposed convolution, then upfirdn2d.
func upsampleConv2D(x, w []float64, n, c, h, wd, o, kc int, k1d []float64, f int, gain float64) []float64 {
	wt := make([]float64, len(w))
	for oi := 0; oi < o; oi++ {
		for ci := 0; ci < c; ci++ {
			for a := 0; a < kc; a++ {
				for d := 0; d < kc; d++ {
					wt[((ci*o+oi)*kc+a)*kc+d] = w[((oi*c+ci)*kc+kc-1-a)*kc+kc-1-d]
				}
			}
		}
	}
	y, yh, yw := convTranspose2D(x, wt, n, c, h, wd, o, kc, f)
	p := (len(k1d) - f) - (kc - 1)
	return upfirdn(y, n*o, yh, yw, setupKernel(k1d, gain*float64(f*f)), len(k1d), 1, 1,
		pyFloorDiv(p+1, 2)+f-1, pyFloorDiv(p, 2)+1)
}

// convDownsample2D is score_sde's conv_downsample_2d for w[O,C,K,K].
func convDownsample2D(x, w []float64, n, c, h, wd, o, kc int, k1d []float64, f int, gain float64) []float64 {
	p := (len(k1d) - f) + (kc - 1)
	lo, hi := pyFloorDiv(p+1, 2), pyFloorDiv(p, 2)
	y := upfirdn(x, n*c, h, wd, setupKernel(k1d, gain), len(k1d), 1, 1, lo, hi)
	yh, yw := h+lo+hi-len(k1d)+1, wd+lo+hi-len(k1d)+1
	return ref.Conv2D(y, w, nil, ref.Conv2DGeom{N: n, C: c, H: yh, W: yw, O: o, KH: kc, KW: kc, Stride: [2]int{f, f}})
}

func TestFIRResampling(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n, c, h, w, o, kc = 2, 3, 6, 5, 4, 3
	g := New()
	x := g.Input("x", n, c, h, w)
	wt := g.Input("w", o, c, kc, kc)
	xv := fd.Draw(r, n*c*h*w, fd.AnyReal)
	wv := fd.Draw(r, o*c*kc*kc, fd.AnyReal)
	xe := g.Input("xe", n, c, h, 4) // even, for 2x2 average pooling
	xev := fd.Draw(r, n*c*h*4, fd.AnyReal)
	feeds := Feeds{x: xv, wt: wv, xe: xev}
	for _, tc := range []struct {
		name string
		got  *Node
		want []float64
	}{
		{"FIRUpsample2D", FIRUpsample2D(x, firK, 2, 1.5),
			upfirdn(xv, n*c, h, w, setupKernel(firK, 1.5*4), 4, 2, 1, 2, 1)},
		{"FIRDownsample2D", FIRDownsample2D(x, firK, 2, 1),
			upfirdn(xv, n*c, h, w, setupKernel(firK, 1), 4, 1, 2, 1, 1)},
		{"FIRUpsample2D box is nearest", FIRUpsample2D(x, []float64{1, 1}, 2, 1),
			ref.Upsample2x(xv, n*c, h, w, 1)},
		{"FIRDownsample2D box is average pooling", FIRDownsample2D(xe, []float64{1, 1}, 2, 1),
			ref.Pool2x(xev, n*c, h, 4, 0.25)},
		{"FIRUpsampleConv2D", FIRUpsampleConv2D(x, wt, firK, 2, 1),
			upsampleConv2D(xv, wv, n, c, h, w, o, kc, firK, 2, 1)},
		{"FIRUpsampleConv2D 3x", FIRUpsampleConv2D(x, wt, []float64{1, 2, 1}, 3, 0.5),
			upsampleConv2D(xv, wv, n, c, h, w, o, kc, []float64{1, 2, 1}, 3, 0.5)},
		{"FIRConvDownsample2D", FIRConvDownsample2D(x, wt, firK, 2, 1),
			convDownsample2D(xv, wv, n, c, h, w, o, kc, firK, 2, 1)},
	} {
		if err := g.Err(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkClose(t, tc.name, run(t, NewReference(), feeds, tc.got)[0], tc.want, 1e-12)
	}
	if s := FIRUpsampleConv2D(x, wt, firK, 2, 1).Shape(); !s.Equal(Shape{n, o, 2 * h, 2 * w}) {
		t.Errorf("FIRUpsampleConv2D shape %v", s)
	}
	if s := FIRConvDownsample2D(x, wt, firK, 2, 1).Shape(); !s.Equal(Shape{n, o, h / 2, w / 2}) {
		t.Errorf("FIRConvDownsample2D shape %v", s)
	}
}

func TestFIRResamplingErrors(t *testing.T) {
	for name, build := range map[string]func(g *Graph) *Node{
		"empty filter": func(g *Graph) *Node { return FIRUpsample2D(g.Input("x", 1, 1, 4, 4), nil, 2, 1) },
		"zero factor":  func(g *Graph) *Node { return FIRDownsample2D(g.Input("x", 1, 1, 4, 4), firK, 0, 1) },
		"channels": func(g *Graph) *Node {
			return FIRConvDownsample2D(g.Input("x", 1, 2, 4, 4), g.Input("w", 3, 1, 3, 3), firK, 2, 1)
		},
		"kernel size": func(g *Graph) *Node { return UpFirDn2D(g.Input("x", 1, 1, 4, 4), []float64{1, 2, 3}, 2, 1, 1, 0, 0) },
		"too short":   func(g *Graph) *Node { return UpFirDn2D(g.Input("x", 1, 1, 2, 2), make([]float64, 16), 4, 1, 1, 0, 0) },
	} {
		g := New()
		if build(g); g.Err() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
