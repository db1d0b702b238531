package ref

import "fmt"

// Conv2DGeom describes a 2-D convolution: the cross-correlation of
// x[N,C,H,W] with w[O,C,KH,KW], zero padding Pad and stride Stride (H, W; a
// zero stride means 1, dilation 1), giving y[N,O,OutH(),OutW()] with
// OutH = (H + 2 Pad[0] - KH)/Stride[0] + 1.
type Conv2DGeom struct {
	N, C, H, W int
	O, KH, KW  int
	Stride     [2]int
	Pad        [2]int
}

// Norm returns g with zero strides replaced by 1.
func (g Conv2DGeom) Norm() Conv2DGeom {
	for i := range g.Stride {
		if g.Stride[i] == 0 {
			g.Stride[i] = 1
		}
	}
	return g
}

// OutH is the output height.
func (g Conv2DGeom) OutH() int { g = g.Norm(); return (g.H+2*g.Pad[0]-g.KH)/g.Stride[0] + 1 }

// OutW is the output width.
func (g Conv2DGeom) OutW() int { g = g.Norm(); return (g.W+2*g.Pad[1]-g.KW)/g.Stride[1] + 1 }

// FLOPs is the number of floating-point operations (2 per multiply-add) of
// the forward convolution, and of each of its two gradients.
func (g Conv2DGeom) FLOPs() float64 {
	return 2 * float64(g.N) * float64(g.O) * float64(g.OutH()*g.OutW()) * float64(g.C*g.KH*g.KW)
}

// Check reports sizes below 1, negative padding, and a kernel larger than
// the padded input.
func (g Conv2DGeom) Check() error {
	g = g.Norm()
	if g.N < 1 || g.C < 1 || g.H < 1 || g.W < 1 || g.O < 1 || g.KH < 1 || g.KW < 1 ||
		g.Stride[0] < 1 || g.Stride[1] < 1 || g.Pad[0] < 0 || g.Pad[1] < 0 {
		return fmt.Errorf("invalid geometry %+v", g)
	}
	if g.OutH() < 1 || g.OutW() < 1 {
		return fmt.Errorf("kernel %dx%d larger than the padded input %dx%d", g.KH, g.KW, g.H, g.W)
	}
	return nil
}

// convLoop calls f(xi, wi, yi) for every triple of linear indices into x, w
// and y that a convolution of geometry g multiplies and accumulates,
// skipping padding.
func convLoop(g Conv2DGeom, f func(xi, wi, yi int)) {
	g = g.Norm()
	OH, OW := g.OutH(), g.OutW()
	for n := 0; n < g.N; n++ {
		for o := 0; o < g.O; o++ {
			for oh := 0; oh < OH; oh++ {
				for ow := 0; ow < OW; ow++ {
					yi := ((n*g.O+o)*OH+oh)*OW + ow
					for c := 0; c < g.C; c++ {
						for kh := 0; kh < g.KH; kh++ {
							ih := oh*g.Stride[0] - g.Pad[0] + kh
							if ih < 0 || ih >= g.H {
								continue
							}
							for kw := 0; kw < g.KW; kw++ {
								iw := ow*g.Stride[1] - g.Pad[1] + kw
								if iw < 0 || iw >= g.W {
									continue
								}
								f(((n*g.C+c)*g.H+ih)*g.W+iw, ((o*g.C+c)*g.KH+kh)*g.KW+kw, yi)
							}
						}
					}
				}
			}
		}
	}
}

// Conv2D returns y[N,O,OH,OW] = x * w (+ bias[O] when bias is not nil).
func Conv2D(x, w, bias []float64, g Conv2DGeom) []float64 {
	y := make([]float64, g.N*g.O*g.OutH()*g.OutW())
	if bias != nil {
		hw := g.OutH() * g.OutW()
		for i := range y {
			y[i] = bias[i/hw%g.O]
		}
	}
	convLoop(g, func(xi, wi, yi int) { y[yi] += x[xi] * w[wi] })
	return y
}

// Conv2DBackData returns the gradient of sum(gy * Conv2D(x, w)) with
// respect to x (the transposed convolution of gy), [N,C,H,W].
func Conv2DBackData(gy, w []float64, g Conv2DGeom) []float64 {
	gx := make([]float64, g.N*g.C*g.H*g.W)
	convLoop(g, func(xi, wi, yi int) { gx[xi] += gy[yi] * w[wi] })
	return gx
}

// Conv2DBackFilter returns the gradient of sum(gy * Conv2D(x, w)) with
// respect to w, [O,C,KH,KW].
func Conv2DBackFilter(x, gy []float64, g Conv2DGeom) []float64 {
	gw := make([]float64, g.O*g.C*g.KH*g.KW)
	convLoop(g, func(xi, wi, yi int) { gw[wi] += gy[yi] * x[xi] })
	return gw
}

// Conv2DBiasGrad returns the gradient of sum(gy * Conv2D(x, w, bias)) with
// respect to bias, [O].
func Conv2DBiasGrad(gy []float64, g Conv2DGeom) []float64 {
	gb := make([]float64, g.O)
	hw := g.OutH() * g.OutW()
	for i, v := range gy {
		gb[i/hw%g.O] += v
	}
	return gb
}
