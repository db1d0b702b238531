package ref

import "math"

// FourierEmbed returns the Fourier features of the times t at the
// frequencies w: out [len(t), 2 len(w)] holds sin(2 pi t w_j) for j <
// len(w) followed by cos(2 pi t w_j).
func FourierEmbed(t, w []float64) []float64 {
	h := len(w)
	out := make([]float64, 2*h*len(t))
	for b, tb := range t {
		for j, wj := range w {
			s, c := math.Sincos(2 * math.Pi * tb * wj)
			out[b*2*h+j] = s
			out[b*2*h+h+j] = c
		}
	}
	return out
}
