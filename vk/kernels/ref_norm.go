package kernels

import "math"

// GroupNormRef is the reference of GroupNorm (gamma, beta nil: no affine
// map). It returns y and the per-(sample, group) mean and rstd.
func GroupNormRef(x, gamma, beta []float64, n, c, hw, groups int, eps float64) (y, mean, rstd []float64) {
	y = make([]float64, len(x))
	mean, rstd = make([]float64, n*groups), make([]float64, n*groups)
	m := c / groups * hw
	for g := 0; g < n*groups; g++ {
		xs := x[g*m : (g+1)*m]
		var mu, v float64
		for _, e := range xs {
			mu += e
		}
		mu /= float64(m)
		for _, e := range xs {
			v += (e - mu) * (e - mu)
		}
		r := 1 / math.Sqrt(v/float64(m)+eps)
		mean[g], rstd[g] = mu, r
		for j, e := range xs {
			o := (e - mu) * r
			if gamma != nil {
				ch := (g%groups)*(c/groups) + j/hw
				o = o*gamma[ch] + beta[ch]
			}
			y[g*m+j] = o
		}
	}
	return y, mean, rstd
}

// GroupNormBackwardRef is the reference of GroupNormBackward: dx, dgamma
// and dbeta of sum(gy * GroupNorm(x)).
func GroupNormBackwardRef(x, gy, gamma []float64, n, c, hw, groups int, eps float64) (dx, dgamma, dbeta []float64) {
	_, mean, rstd := GroupNormRef(x, nil, nil, n, c, hw, groups, eps)
	dx = make([]float64, len(x))
	dgamma, dbeta = make([]float64, c), make([]float64, c)
	cg := c / groups
	m := cg * hw
	for g := 0; g < n*groups; g++ {
		mu, r := mean[g], rstd[g]
		var mg, mgx float64
		for j := 0; j < m; j++ {
			i := g*m + j
			ch := (g%groups)*cg + j/hw
			xh := (x[i] - mu) * r
			dgamma[ch] += gy[i] * xh
			dbeta[ch] += gy[i]
			gg := gy[i]
			if gamma != nil {
				gg *= gamma[ch]
			}
			mg += gg
			mgx += gg * xh
		}
		mg /= float64(m)
		mgx /= float64(m)
		for j := 0; j < m; j++ {
			i := g*m + j
			gg := gy[i]
			if gamma != nil {
				gg *= gamma[(g%groups)*cg+j/hw]
			}
			dx[i] = r * (gg - mg - (x[i]-mu)*r*mgx)
		}
	}
	return dx, dgamma, dbeta
}
