package kernels

import (
	"math"

	"github.com/sdevk/sdevk/graph/rng"
)

// LinCombRef is the float64 reference of LinComb for one row of
// coefficients c (len(vectors)+2 values) and the noise key.
func LinCombRef(n int, c []float64, noise Noise, key rng.Key, vectors ...[]float64) []float64 {
	return LinCombRefAt(n, c, noise, key, 0, vectors...)
}

// LinCombRefAt is LinCombRef at a noise offset (the state's word 3).
func LinCombRefAt(n int, c []float64, noise Noise, key rng.Key, offset int, vectors ...[]float64) []float64 {
	z := make([]float64, n)
	switch noise {
	case NormalNoise:
		rng.NormalAt(z, key, offset)
	case UniformNoise:
		rng.UniformAt(z, key, offset)
	case RademacherNoise:
		rng.RademacherAt(z, key, offset)
	}
	nv := len(vectors)
	y := make([]float64, n)
	for i := range y {
		acc := c[nv+1] + c[nv]*z[i]
		for j, v := range vectors {
			acc += c[j] * v[i]
		}
		y[i] = acc
	}
	return y
}

// LangevinSNRRef is the float64 reference of LangevinSNR.
func LangevinSNRRef(gradSq, noiseSq []float64, alpha, snr float64) [4]float64 {
	var g, z float64
	for i := range gradSq {
		g += math.Sqrt(gradSq[i])
		z += math.Sqrt(noiseSq[i])
	}
	r := snr * z / g
	eps := 2 * alpha * r * r
	return [4]float64{1, eps, math.Sqrt(2 * eps), 0}
}

// LangevinPerSampleRef is the float64 reference of LangevinPerSample on
// x (b*d values) in place.
func LangevinPerSampleRef(x, score, z []float64, d int, alpha, snr float64) {
	for b := 0; b < len(x)/d; b++ {
		row := LangevinSNRRef([]float64{sumSq(score[b*d : (b+1)*d])}, []float64{sumSq(z[b*d : (b+1)*d])}, alpha, snr)
		for i := b * d; i < (b+1)*d; i++ {
			x[i] += row[1]*score[i] + row[2]*z[i]
		}
	}
}

func sumSq(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s
}

// RKScaledRef is the float64 reference of RKScaled.
func RKScaledRef(e, a, b []float64, rtol, atol float64) []float64 {
	y := make([]float64, len(e))
	for i := range e {
		y[i] = e[i] / (atol + rtol*math.Max(math.Abs(a[i]), math.Abs(b[i])))
	}
	return y
}
