package ref

import "github.com/sdevk/sdevk/graph/rng"

// Random draws are rng's (Philox): element i of a draw depends only on the
// key and i, so every executor draws the same numbers.

// Dropout zeroes element i of x where the Philox uniform i of key is below
// rate and scales the others by 1/(1-rate).
func Dropout(x []float64, rate float64, key rng.Key) []float64 {
	y := make([]float64, len(x))
	rng.Uniform(y, key)
	for i, u := range y {
		if u < rate {
			y[i] = 0
		} else {
			y[i] = x[i] / (1 - rate)
		}
	}
	return y
}
