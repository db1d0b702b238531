package data

import "math/rand/v2"

// Name is "points".
func (p *Points) Name() string { return "points" }

// Dim is D.
func (p *Points) Dim() int { return p.D }

// Sample draws n rows uniformly with replacement, so a point file serves as
// a Dataset (training batches, eval references).
func (p *Points) Sample(n int, r *rand.Rand) []float64 {
	out := make([]float64, 0, n*p.D)
	for i := 0; i < n; i++ {
		j := r.IntN(p.N)
		out = append(out, p.X[j*p.D:(j+1)*p.D]...)
	}
	return out
}
