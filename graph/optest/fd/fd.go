// Package fd takes central finite differences of float64 functions and
// draws the random inputs they are taken at. It imports nothing of sdevk,
// so that both package graph's internal tests and the op-table suite
// (graph/optest) use it.
package fd

import "math/rand/v2"

// Step is the central-difference step: small enough for a truncation
// error near 1e-10 on the smooth ops, large enough that float64 rounding
// of f (about 1e-16 / Step) stays below it.
const Step = 1e-5

// Central returns df/dv for every element of vals by central differences,
// one slice per input, perturbing vals in place (and restoring them): f
// must read vals.
func Central(vals [][]float64, f func() float64) [][]float64 {
	grads := make([][]float64, len(vals))
	for i, v := range vals {
		grads[i] = make([]float64, len(v))
		for j := range v {
			x := v[j]
			v[j] = x + Step
			fp := f()
			v[j] = x - Step
			fm := f()
			v[j] = x
			grads[i][j] = (fp - fm) / (2 * Step)
		}
	}
	return grads
}

// Inputs chooses the distribution of random test inputs.
type Inputs int

const (
	AnyReal  Inputs = iota // uniform in [-1.5, 1.5]
	Positive               // uniform in [0.5, 2], for Log, Sqrt, divisors
	AwayZero               // |x| in [0.2, 1.5], for kinks at 0
)

// Draw returns n values of distribution k.
func Draw(r *rand.Rand, n int, k Inputs) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch k {
		case Positive:
			v[i] = 0.5 + 1.5*r.Float64()
		case AwayZero:
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
