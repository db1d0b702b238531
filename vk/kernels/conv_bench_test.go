package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func convBenchBuf(b *testing.B, l *Lib, n int, rng *rand.Rand) *vk.Buffer {
	buf, err := l.Dev.NewBufferF32(n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(buf.Free)
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	if err := buf.Upload(v); err != nil {
		b.Fatal(err)
	}
	return buf
}

// BenchmarkConv2D3x3: batch 64, 64 -> 64 channels, 28x28, padding 1, the
// three products with the device's variant, and the same-run SGEMM 1024
// reference (l.Gemm) that the forward pass is measured against.
func BenchmarkConv2D3x3(b *testing.B) {
	l := New(vktest.Open(b, vk.Options{}))
	rng := rand.New(rand.NewPCG(1, 1))
	g := Conv2DGeom{N: 64, C: 64, H: 28, W: 28, O: 64, KH: 3, KW: 3, Pad: [2]int{1, 1}}
	x := convBenchBuf(b, l, g.N*g.C*g.H*g.W, rng)
	w := convBenchBuf(b, l, g.O*g.C*g.KH*g.KW, rng)
	bias := convBenchBuf(b, l, g.O, rng)
	y := convBenchBuf(b, l, g.N*g.O*g.OutH()*g.OutW(), rng)
	gx := convBenchBuf(b, l, g.N*g.C*g.H*g.W, rng)
	gw := convBenchBuf(b, l, g.O*g.C*g.KH*g.KW, rng)
	b.Run("forward", func(b *testing.B) {
		benchReplay(b, l.Dev, g.FLOPs(), 0, func(seq *vk.Sequence) error { return l.Conv2D(seq, x, w, bias, y, g) })
	})
	for _, v := range []struct {
		name string
		v    ConvVariant
	}{{"reg", ConvReg}, {"im2col", ConvIm2col}} {
		b.Run("forward-"+v.name, func(b *testing.B) {
			benchReplay(b, l.Dev, g.FLOPs(), 0, func(seq *vk.Sequence) error { return l.Conv2DWith(seq, v.v, x, w, bias, y, g) })
		})
		b.Run("backdata-"+v.name, func(b *testing.B) {
			benchReplay(b, l.Dev, g.FLOPs(), 0, func(seq *vk.Sequence) error { return l.Conv2DBackDataWith(seq, v.v, y, w, gx, g) })
		})
		b.Run("backfilter-"+v.name, func(b *testing.B) {
			benchReplay(b, l.Dev, g.FLOPs(), 0, func(seq *vk.Sequence) error { return l.Conv2DBackFilterWith(seq, v.v, x, y, gw, g) })
		})
	}
	b.Run("backdata", func(b *testing.B) {
		benchReplay(b, l.Dev, g.FLOPs(), 0, func(seq *vk.Sequence) error { return l.Conv2DBackData(seq, y, w, gx, g) })
	})
	b.Run("backfilter", func(b *testing.B) {
		benchReplay(b, l.Dev, g.FLOPs(), 0, func(seq *vk.Sequence) error { return l.Conv2DBackFilter(seq, x, y, gw, g) })
	})
	b.Run("backward", func(b *testing.B) {
		benchReplay(b, l.Dev, 2*g.FLOPs(), 0, func(seq *vk.Sequence) error {
			if err := l.Conv2DBackData(seq, y, w, gx, g); err != nil {
				return err
			}
			if err := l.Conv2DBiasGrad(seq, y, bias, g); err != nil {
				return err
			}
			return l.Conv2DBackFilter(seq, x, y, gw, g)
		})
	})
	b.Run("sgemm1024", func(b *testing.B) {
		const n = 1024
		a, bb, c := convBenchBuf(b, l, n*n, rng), convBenchBuf(b, l, n*n, rng), convBenchBuf(b, l, n*n, rng)
		benchReplay(b, l.Dev, 2*n*n*n, 0, func(seq *vk.Sequence) error {
			return l.Gemm(seq, GemmAuto, false, false, n, n, n, 1, a, bb, 0, c, 1, 0, 0, 0)
		})
	})
}
