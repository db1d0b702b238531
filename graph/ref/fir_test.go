package ref

import (
	"math"
	"math/rand/v2"
	"testing"
)

// upfirdnSteps is score_sde's upfirdn2d_native step by step, on one plane:
// insert zeros, pad or crop, correlate with the flipped kernel over the
// valid positions, keep every down-th sample.
func upfirdnSteps(x, kernel []float64, h, w, k, up, down int, pad [2][2]int) ([]float64, int, int) {
	uh, uw := h*up, w*up
	u := make([]float64, uh*uw)
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			u[r*up*uw+c*up] = x[r*w+c]
		}
	}
	ph, pw := uh+pad[0][0]+pad[0][1], uw+pad[1][0]+pad[1][1]
	p := make([]float64, ph*pw)
	for r := 0; r < ph; r++ {
		for c := 0; c < pw; c++ {
			sr, sc := r-pad[0][0], c-pad[1][0]
			if sr >= 0 && sr < uh && sc >= 0 && sc < uw {
				p[r*pw+c] = u[sr*uw+sc]
			}
		}
	}
	flip := FlipKernel(kernel)
	ch, cw := ph-k+1, pw-k+1
	conv := make([]float64, ch*cw)
	for r := 0; r < ch; r++ {
		for c := 0; c < cw; c++ {
			for a := 0; a < k; a++ {
				for b := 0; b < k; b++ {
					conv[r*cw+c] += flip[a*k+b] * p[(r+a)*pw+c+b]
				}
			}
		}
	}
	oh, ow := (ch+down-1)/down, (cw+down-1)/down
	y := make([]float64, 0, oh*ow)
	for r := 0; r < ch; r += down {
		for c := 0; c < cw; c += down {
			y = append(y, conv[r*cw+c])
		}
	}
	return y, oh, ow
}

// firGeoms are score_sde's up and down by 2 with its [1,3,3,1] kernel,
// plus asymmetric, cropping and non-square cases.
var firGeoms = []UpFirDn2DGeom{
	{Planes: 3, H: 7, W: 5, K: 4, Up: 2, Down: 1, Pad: [2][2]int{{2, 1}, {2, 1}}},
	{Planes: 3, H: 7, W: 5, K: 4, Up: 1, Down: 2, Pad: [2][2]int{{1, 1}, {1, 1}}},
	{Planes: 2, H: 6, W: 9, K: 3, Up: 3, Down: 2, Pad: [2][2]int{{0, 2}, {1, 0}}},
	{Planes: 1, H: 8, W: 5, K: 2, Up: 1, Down: 3, Pad: [2][2]int{{-1, 0}, {0, -2}}},
	{Planes: 2, H: 4, W: 4, K: 1, Up: 2, Down: 2, Pad: [2][2]int{{0, 0}, {0, 0}}},
	{Planes: 1, H: 5, W: 6, K: 5, Up: 2, Down: 2, Pad: [2][2]int{{3, 3}, {2, 4}}},
}

func TestUpFirDn2DMatchesScoreSDESteps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range firGeoms {
		if err := g.Check(); err != nil {
			t.Fatal(err)
		}
		x, kernel := randn(r, g.Planes*g.H*g.W), randn(r, g.K*g.K)
		y := UpFirDn2D(x, kernel, g)
		oh, ow := g.OutH(), g.OutW()
		for p := 0; p < g.Planes; p++ {
			want, wh, ww := upfirdnSteps(x[p*g.H*g.W:(p+1)*g.H*g.W], kernel, g.H, g.W, g.K, g.Up, g.Down, g.Pad)
			if wh != oh || ww != ow {
				t.Fatalf("%+v: output %dx%d, want %dx%d", g, oh, ow, wh, ww)
			}
			for i, v := range want {
				if got := y[p*oh*ow+i]; math.Abs(got-v) > 1e-12 {
					t.Fatalf("%+v: plane %d [%d] = %g, want %g", g, p, i, got, v)
				}
			}
		}
	}
}

// TestUpFirDn2DAdjoint checks <A x, y> = <x, A^T y> with A^T the adjoint
// geometry and the flipped kernel, and that A^T maps back to H x W.
func TestUpFirDn2DAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, g := range firGeoms {
		a := g.Adjoint()
		if err := a.Check(); err != nil {
			t.Fatalf("%+v: adjoint %+v: %v", g, a, err)
		}
		if a.OutH() != g.H || a.OutW() != g.W {
			t.Fatalf("%+v: adjoint output %dx%d, want %dx%d", g, a.OutH(), a.OutW(), g.H, g.W)
		}
		x, kernel := randn(r, g.Planes*g.H*g.W), randn(r, g.K*g.K)
		y := randn(r, g.Planes*g.OutH()*g.OutW())
		lhs := dot(UpFirDn2D(x, kernel, g), y)
		rhs := dot(x, UpFirDn2D(y, FlipKernel(kernel), a))
		if math.Abs(lhs-rhs) > 1e-9*(1+math.Abs(lhs)) {
			t.Errorf("%+v: <Ax, y> = %g, <x, A'y> = %g", g, lhs, rhs)
		}
	}
}

func TestUpFirDn2DCheck(t *testing.T) {
	for _, g := range []UpFirDn2DGeom{
		{Planes: 1, H: 2, W: 2, K: 5, Up: 1, Down: 1},
		{Planes: 1, H: 2, W: 2, K: 1, Up: 0, Down: 1},
		{Planes: 0, H: 2, W: 2, K: 1, Up: 1, Down: 1},
		{Planes: 1, H: 4, W: 4, K: 1, Up: 1, Down: 1, Pad: [2][2]int{{-2, -2}, {0, 0}}},
	} {
		if g.Check() == nil {
			t.Errorf("%+v: no error", g)
		}
	}
}
