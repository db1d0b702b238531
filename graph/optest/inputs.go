package optest

import "math/rand/v2"

// inputKind chooses the distribution of a case's random inputs.
type inputKind int

const (
	anyReal  inputKind = iota // uniform in [-1.5, 1.5]
	positive                  // uniform in [0.5, 2], for Log, Sqrt, divisors
	awayZero                  // |x| in [0.2, 1.5], for kinks at 0
)

func randVals(r *rand.Rand, n int, k inputKind) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch k {
		case positive:
			v[i] = 0.5 + 1.5*r.Float64()
		case awayZero:
			v[i] = 0.2 + 1.3*r.Float64()
			if r.IntN(2) == 0 {
				v[i] = -v[i]
			}
		default:
			v[i] = 3*r.Float64() - 1.5
		}
	}
	return v
}
