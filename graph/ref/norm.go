package ref

import (
	"fmt"
	"math"
)

// GroupNormShape is the shape of group normalisation: x is [N, C, HW]
// (HW: the product of the spatial dimensions), each of Groups groups of
// C/Groups channels is normalised over its channels and positions, and Eps
// is added to the variance.
type GroupNormShape struct {
	N, C, HW, Groups int
	Eps              float64
}

// Check reports sizes below 1, groups that do not divide the channels and a
// negative Eps.
func (s GroupNormShape) Check() error {
	if s.N < 1 || s.C < 1 || s.HW < 1 || s.Groups < 1 || s.C%s.Groups != 0 || s.Eps < 0 {
		return fmt.Errorf("%d groups (eps %g) for [N %d, C %d, HW %d] (need C divisible by groups)", s.Groups, s.Eps, s.N, s.C, s.HW)
	}
	return nil
}

// GroupNorm returns y = (x - mean) rstd, then gamma y + beta per channel
// when gamma is not nil, and the per-(sample, group) mean and
// rstd = 1/sqrt(var + Eps). The elements of one (sample, group) pair are
// contiguous.
func GroupNorm(x, gamma, beta []float64, s GroupNormShape) (y, mean, rstd []float64) {
	y = make([]float64, len(x))
	mean, rstd = make([]float64, s.N*s.Groups), make([]float64, s.N*s.Groups)
	cg := s.C / s.Groups
	m := cg * s.HW
	for g := 0; g < s.N*s.Groups; g++ {
		xs := x[g*m : (g+1)*m]
		var mu, v float64
		for _, e := range xs {
			mu += e
		}
		mu /= float64(m)
		for _, e := range xs {
			v += (e - mu) * (e - mu)
		}
		r := 1 / math.Sqrt(v/float64(m)+s.Eps)
		mean[g], rstd[g] = mu, r
		for j, e := range xs {
			o := (e - mu) * r
			if gamma != nil {
				ch := (g%s.Groups)*cg + j/s.HW
				o = o*gamma[ch] + beta[ch]
			}
			y[g*m+j] = o
		}
	}
	return y, mean, rstd
}

// GroupNormGrad returns dx, dgamma and dbeta of sum(gy * GroupNorm(x,
// gamma, beta)); gamma nil means no affine map (dgamma and dbeta are then
// those of a unit gamma): dx = rstd (g - mean(g) - xhat mean(g xhat)) with
// g = gamma gy.
func GroupNormGrad(x, gy, gamma []float64, s GroupNormShape) (dx, dgamma, dbeta []float64) {
	_, mean, rstd := GroupNorm(x, nil, nil, s)
	dx = make([]float64, len(x))
	dgamma, dbeta = make([]float64, s.C), make([]float64, s.C)
	cg := s.C / s.Groups
	m := cg * s.HW
	scaled := func(i, g, j int) float64 {
		if gamma == nil {
			return gy[i]
		}
		return gy[i] * gamma[(g%s.Groups)*cg+j/s.HW]
	}
	for g := 0; g < s.N*s.Groups; g++ {
		mu, r := mean[g], rstd[g]
		var mg, mgx float64
		for j := 0; j < m; j++ {
			i := g*m + j
			ch := (g%s.Groups)*cg + j/s.HW
			xh := (x[i] - mu) * r
			dgamma[ch] += gy[i] * xh
			dbeta[ch] += gy[i]
			gg := scaled(i, g, j)
			mg += gg
			mgx += gg * xh
		}
		mg /= float64(m)
		mgx /= float64(m)
		for j := 0; j < m; j++ {
			i := g*m + j
			dx[i] = r * (scaled(i, g, j) - mg - (x[i]-mu)*r*mgx)
		}
	}
	return dx, dgamma, dbeta
}
