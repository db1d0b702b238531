package kernels

import "math"

// AttentionRef is the float64 reference of AttentionForward (the same
// formula as graph's reference executor): it returns o [N, C, L] and
// lse [N, Heads, L].
func AttentionRef(q, k, v []float64, s AttentionShape) (o, lse []float64) {
	d, L := s.HeadDim(), s.L
	scale := 1 / math.Sqrt(float64(d))
	o = make([]float64, s.Size())
	lse = make([]float64, s.RowLen())
	p := make([]float64, L)
	for n := 0; n < s.N; n++ {
		for h := 0; h < s.Heads; h++ {
			base := (n*s.C + h*d) * L
			for i := 0; i < L; i++ {
				mx, sum := softmaxRow(q, k, base, d, L, i, scale, p)
				lse[(n*s.Heads+h)*L+i] = mx + math.Log(sum)
				for c := 0; c < d; c++ {
					t := 0.0
					for j := 0; j < L; j++ {
						t += p[j] * v[base+c*L+j]
					}
					o[base+c*L+i] = t / sum
				}
			}
		}
	}
	return o, lse
}

// AttentionGradRef is the float64 reference of AttentionBackward: the
// gradients of sum(gy * attention(q, k, v)) with respect to q, k and v.
func AttentionGradRef(q, k, v, gy []float64, s AttentionShape) (dq, dk, dv []float64) {
	d, L := s.HeadDim(), s.L
	scale := 1 / math.Sqrt(float64(d))
	dq, dk, dv = make([]float64, s.Size()), make([]float64, s.Size()), make([]float64, s.Size())
	p := make([]float64, L)
	dp := make([]float64, L)
	for n := 0; n < s.N; n++ {
		for h := 0; h < s.Heads; h++ {
			base := (n*s.C + h*d) * L
			for i := 0; i < L; i++ {
				_, sum := softmaxRow(q, k, base, d, L, i, scale, p)
				pdp := 0.0
				for j := 0; j < L; j++ {
					p[j] /= sum
					t := 0.0
					for c := 0; c < d; c++ {
						g := gy[base+c*L+i]
						t += g * v[base+c*L+j]
						dv[base+c*L+j] += p[j] * g
					}
					dp[j] = t
					pdp += p[j] * t
				}
				for j := 0; j < L; j++ {
					ds := p[j] * (dp[j] - pdp) * scale
					for c := 0; c < d; c++ {
						dq[base+c*L+i] += ds * k[base+c*L+j]
						dk[base+c*L+j] += ds * q[base+c*L+i]
					}
				}
			}
		}
	}
	return dq, dk, dv
}

// softmaxRow fills p with exp(scale q_i . k_j - mx) for the query row i of
// one head (channels at base + c*L) and returns the row's maximum and the
// sum of p.
func softmaxRow(q, k []float64, base, d, L, i int, scale float64, p []float64) (mx, sum float64) {
	mx = math.Inf(-1)
	for j := 0; j < L; j++ {
		t := 0.0
		for c := 0; c < d; c++ {
			t += q[base+c*L+i] * k[base+c*L+j]
		}
		p[j] = t * scale
		mx = math.Max(mx, p[j])
	}
	for j := range p {
		p[j] = math.Exp(p[j] - mx)
		sum += p[j]
	}
	return mx, sum
}
