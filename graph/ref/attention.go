package ref

import (
	"fmt"
	"math"
)

// AttentionShape is the shape of multi-head self-attention's operands: q,
// k, v and the output are [N, C, L] (L spatial positions, channel-major),
// and head h owns channels [h d, (h+1) d) with d = C / Heads. The scores
// are scaled by 1/sqrt(d).
type AttentionShape struct {
	N, C, L, Heads int
}

// HeadDim is d = C / Heads.
func (s AttentionShape) HeadDim() int { return s.C / s.Heads }

// Size is N*C*L, the length of q, k, v, the output and each gradient.
func (s AttentionShape) Size() int { return s.N * s.C * s.L }

// RowLen is N*Heads*L, the length of the log-sum-exp of the score rows.
func (s AttentionShape) RowLen() int { return s.N * s.Heads * s.L }

// FLOPs is the forward's floating-point operation count (2 matmuls of
// 2 N C L^2 each).
func (s AttentionShape) FLOPs() float64 {
	return 4 * float64(s.N) * float64(s.C) * float64(s.L) * float64(s.L)
}

// Check reports sizes below 1 and channels that the heads do not divide.
func (s AttentionShape) Check() error {
	if s.N < 1 || s.C < 1 || s.L < 1 || s.Heads < 1 || s.C%s.Heads != 0 {
		return fmt.Errorf("%d heads for [N %d, C %d, L %d] (need C divisible by heads)", s.Heads, s.N, s.C, s.L)
	}
	return nil
}

// Attention returns o [N, C, L], with for each head
// o[:, i] = sum_j softmax_j(q[:, i] . k[:, j] / sqrt(d)) v[:, j], and the
// log-sum-exp of each score row, lse [N, Heads, L].
func Attention(q, k, v []float64, s AttentionShape) (o, lse []float64) {
	d, L := s.HeadDim(), s.L
	scale := 1 / math.Sqrt(float64(d))
	o = make([]float64, s.Size())
	lse = make([]float64, s.RowLen())
	p := make([]float64, L)
	for n := 0; n < s.N; n++ {
		for h := 0; h < s.Heads; h++ {
			base := (n*s.C + h*d) * L // element (c, i) of this head at base + c*L + i
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

// AttentionGrad returns the gradients of sum(gy * Attention(q, k, v)) with
// respect to q, k and v.
func AttentionGrad(q, k, v, gy []float64, s AttentionShape) (dq, dk, dv []float64) {
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
				// dp_j = gy_i . v_j; ds_j = p_j (dp_j - sum_j' p_j' dp_j').
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
