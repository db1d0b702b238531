package ref

import "fmt"

// UpFirDn2DGeom describes score_sde's upfirdn2d on Planes independent planes
// of H x W (the N*C channels of an NCHW tensor): each plane is upsampled by
// Up (Up-1 zeros after every sample along each axis), zero padded by
// Pad[axis][0] before and Pad[axis][1] after (axis 0 is H, 1 is W; a
// negative pad crops), convolved (a true convolution, the kernel flipped)
// with a K x K kernel and kept at every Down-th position from 0:
//
//	y[o] = sum_{t} kernel[K-1-t] * u[o*Down + t - Pad[0]]
//
// per axis, where u[j] = x[j/Up] when j is a multiple of Up in [0, H*Up)
// and 0 elsewhere. The output is OutH() x OutW() with
// OutH = (H*Up + Pad[0][0] + Pad[0][1] - K)/Down + 1.
type UpFirDn2DGeom struct {
	Planes, H, W int
	K            int
	Up, Down     int
	Pad          [2][2]int
}

// OutH is the output height.
func (g UpFirDn2DGeom) OutH() int { return g.outLen(0, g.H) }

// OutW is the output width.
func (g UpFirDn2DGeom) OutW() int { return g.outLen(1, g.W) }

// outLen is the output length along axis of an input of length n; below 1
// when the padded, upsampled input is shorter than the kernel.
func (g UpFirDn2DGeom) outLen(axis, n int) int {
	span := n*g.Up + g.Pad[axis][0] + g.Pad[axis][1] - g.K
	if span < 0 || g.Down < 1 {
		return 0
	}
	return span/g.Down + 1
}

// Check reports sizes or factors below 1 and a kernel longer than the
// padded, upsampled input.
func (g UpFirDn2DGeom) Check() error {
	if g.Planes < 1 || g.H < 1 || g.W < 1 || g.K < 1 || g.Up < 1 || g.Down < 1 {
		return fmt.Errorf("invalid upfirdn2d geometry %+v", g)
	}
	if g.OutH() < 1 || g.OutW() < 1 {
		return fmt.Errorf("%dx%d kernel longer than the %dx%d input upsampled by %d and padded by %v",
			g.K, g.K, g.H, g.W, g.Up, g.Pad)
	}
	return nil
}

// Adjoint returns the geometry of the transpose of g (the gradient of
// UpFirDn2D in x): upsampling and downsampling swap roles, the pads are
// those of the stylegan2 gradient, and the kernel is flipped
// (FlipKernel). Its output is H x W.
func (g UpFirDn2DGeom) Adjoint() UpFirDn2DGeom {
	a := UpFirDn2DGeom{Planes: g.Planes, H: g.OutH(), W: g.OutW(), K: g.K, Up: g.Down, Down: g.Up}
	for axis, n := range [2]int{g.H, g.W} {
		out := [2]int{a.H, a.W}[axis]
		a.Pad[axis] = [2]int{g.K - 1 - g.Pad[axis][0], n*g.Up - out*g.Down + g.Pad[axis][0] - g.Up + 1}
	}
	return a
}

// FlipKernel returns the K x K kernel k (row-major) rotated by 180 degrees.
func FlipKernel(k []float64) []float64 {
	f := make([]float64, len(k))
	for i, v := range k {
		f[len(k)-1-i] = v
	}
	return f
}

// UpFirDn2D returns y[Planes, OutH, OutW] for x[Planes, H, W] and the
// K x K kernel (row-major) of geometry g.
func UpFirDn2D(x, kernel []float64, g UpFirDn2DGeom) []float64 {
	oh, ow := g.OutH(), g.OutW()
	y := make([]float64, g.Planes*oh*ow)
	// src returns the input index along an axis of length n for the
	// upsampled, padded position j, or -1 for a zero.
	src := func(axis, n, j int) int {
		j -= g.Pad[axis][0]
		if j < 0 || j >= n*g.Up || j%g.Up != 0 {
			return -1
		}
		return j / g.Up
	}
	for p := 0; p < g.Planes; p++ {
		plane := x[p*g.H*g.W : (p+1)*g.H*g.W]
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				var s float64
				for ty := 0; ty < g.K; ty++ {
					r := src(0, g.H, i*g.Down+ty)
					if r < 0 {
						continue
					}
					for tx := 0; tx < g.K; tx++ {
						c := src(1, g.W, j*g.Down+tx)
						if c < 0 {
							continue
						}
						s += kernel[(g.K-1-ty)*g.K+g.K-1-tx] * plane[r*g.W+c]
					}
				}
				y[(p*oh+i)*ow+j] = s
			}
		}
	}
	return y
}
