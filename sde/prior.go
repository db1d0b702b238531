package sde

import "math"

// PriorSample fills dst with draws from the prior N(0, PriorStd^2 I).
func PriorSample(s SDE, dst []float64, normal Normal) {
	normal(dst)
	ps := s.PriorStd()
	for i := range dst {
		dst[i] *= ps
	}
}

// PriorLogP writes, for each of the len(z)/d points, the log-density of the
// prior N(0, PriorStd^2 I): -d/2 ln(2 pi sigma^2) - |z|^2 / (2 sigma^2).
func PriorLogP(s SDE, z []float64, d int, out []float64) {
	ps := s.PriorStd()
	c := -0.5 * float64(d) * math.Log(2*math.Pi*ps*ps)
	for i := range out {
		row := z[i*d : (i+1)*d]
		ss := 0.0
		for _, v := range row {
			ss += v * v
		}
		out[i] = c - ss/(2*ps*ps)
	}
}
