package kernels

// convRefLoop calls f(xi, wi, yi) for every product a convolution of
// geometry g accumulates (the loop of graph's reference).
func convRefLoop(g Conv2DGeom, f func(xi, wi, yi int)) {
	g = g.norm()
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

// Conv2DRef is the reference of Conv2D (bias may be nil).
func Conv2DRef(x, w, bias []float64, g Conv2DGeom) []float64 {
	y := make([]float64, g.N*g.O*g.OutH()*g.OutW())
	if bias != nil {
		hw := g.OutH() * g.OutW()
		for i := range y {
			y[i] = bias[i/hw%g.O]
		}
	}
	convRefLoop(g, func(xi, wi, yi int) { y[yi] += x[xi] * w[wi] })
	return y
}

// Conv2DBackDataRef is the reference of Conv2DBackData.
func Conv2DBackDataRef(gy, w []float64, g Conv2DGeom) []float64 {
	gx := make([]float64, g.N*g.C*g.H*g.W)
	convRefLoop(g, func(xi, wi, yi int) { gx[xi] += gy[yi] * w[wi] })
	return gx
}

// Conv2DBackFilterRef is the reference of Conv2DBackFilter.
func Conv2DBackFilterRef(x, gy []float64, g Conv2DGeom) []float64 {
	gw := make([]float64, g.O*g.C*g.KH*g.KW)
	convRefLoop(g, func(xi, wi, yi int) { gw[wi] += gy[yi] * x[xi] })
	return gw
}

// Conv2DBiasGradRef is the reference of Conv2DBiasGrad.
func Conv2DBiasGradRef(gy []float64, g Conv2DGeom) []float64 {
	gb := make([]float64, g.O)
	hw := g.OutH() * g.OutW()
	for i, v := range gy {
		gb[i/hw%g.O] += v
	}
	return gb
}
