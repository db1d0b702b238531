package kernels

import "math"

// FourierEmbedRef is the float64 reference of FourierEmbed (graph's
// forwardFourier): out [len(t), 2 len(w)].
func FourierEmbedRef(t, w []float64) []float64 {
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
