package sde

import "math"

// Bits per dimension for 8-bit data.
//
// Dequantisation: an 8-bit value k in {0..255} becomes the continuous
// u_data = (k + u) / 256 with u ~ U(0, 1), then the affine map to the
// model's range x = lo + w u_data (w = 1 for [0, 1], w = 2 for [-1, 1]). The
// discrete probability of k is bounded below by the density over its cell of
// volume (w/256)^D, which gives
//
//	bpd = -log p(x) / (D ln 2) + 8 - log2(w).
//
// score_sde writes the constant 8 - log2(w) as an "offset" of 8 (data in
// [0, 1]) or 7 (data in [-1, 1]). For continuous data report nats per
// dimension, -log p / D, instead.

// BitsPerDim converts a log-density in nats of a D-dimensional point in a
// model range of width w into bits per dimension of its 8-bit data.
func BitsPerDim(logp float64, d int, width float64) float64 {
	return -logp/(float64(d)*math.Ln2) + 8 - math.Log2(width)
}

// Dequantize writes x = lo + width (k + u) / 256 for 8-bit values k and
// uniform draws u in [0, 1).
func Dequantize(dst []float64, k []uint8, u []float64, lo, width float64) {
	for i := range dst {
		dst[i] = lo + width*(float64(k[i])+u[i])/256
	}
}
