package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestUpFirDn2D(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, g := range []UpFirDn2DGeom{
		// score_sde's up and down by 2 ([1, 3, 3, 1]) on odd sizes.
		{Planes: 6, H: 7, W: 5, K: 4, Up: 2, Down: 1, Pad: [2][2]int{{2, 1}, {2, 1}}},
		{Planes: 6, H: 7, W: 5, K: 4, Up: 1, Down: 2, Pad: [2][2]int{{1, 1}, {1, 1}}},
		// upsample_conv_2d's filter after a 3x3 transposed convolution.
		{Planes: 5, H: 9, W: 11, K: 4, Up: 1, Down: 1, Pad: [2][2]int{{1, 1}, {1, 1}}},
		// Up 3 down 2, asymmetric and cropping pads, one plane larger than a workgroup.
		{Planes: 2, H: 6, W: 9, K: 3, Up: 3, Down: 2, Pad: [2][2]int{{0, 2}, {-2, 0}}},
		{Planes: 1, H: 33, W: 17, K: 5, Up: 2, Down: 3, Pad: [2][2]int{{4, -1}, {3, 3}}},
		{Planes: 3, H: 1, W: 1, K: 1, Up: 1, Down: 1},
	} {
		x := randn(rng, g.Planes*g.H*g.W, 1, 0)
		taps := randn(rng, g.K*g.K, 1, 0)
		n := g.Planes * g.OutH() * g.OutW()
		xb, kb, yb := upload(t, l, x), upload(t, l, taps), newBuf(t, l, n)
		run(t, l, func(seq *vk.Sequence) error { return l.UpFirDn2D(seq, xb, kb, yb, g) })
		vktest.Close(t, "upfirdn2d", download(t, yb, n), ref.UpFirDn2D(x, taps, g), 1e-5, 1e-5)

		// The gradient: the adjoint geometry with the flipped kernel.
		a := g.Adjoint()
		gy := randn(rng, n, 1, 0)
		gyb, fb, gx := upload(t, l, gy), upload(t, l, ref.FlipKernel(taps)), newBuf(t, l, len(x))
		run(t, l, func(seq *vk.Sequence) error { return l.UpFirDn2D(seq, gyb, fb, gx, a) })
		vktest.Close(t, "upfirdn2d adjoint", download(t, gx, len(x)), ref.UpFirDn2D(gy, ref.FlipKernel(taps), a), 1e-5, 1e-5)
	}
	run(t, l, func(seq *vk.Sequence) error {
		short := UpFirDn2DGeom{Planes: 1, H: 2, W: 2, K: 4, Up: 1, Down: 1}
		if err := l.UpFirDn2D(seq, newBuf(t, l, 4), newBuf(t, l, 16), newBuf(t, l, 4), short); err == nil {
			t.Error("a kernel longer than the input was accepted")
		}
		ok := UpFirDn2DGeom{Planes: 1, H: 2, W: 2, K: 1, Up: 1, Down: 1}
		if err := l.UpFirDn2D(seq, newBuf(t, l, 4), newBuf(t, l, 1), newBuf(t, l, 3), ok); err == nil {
			t.Error("a short output buffer was accepted")
		}
		return nil
	})
}
