package optest

import "math"

// Independent float64 references for the table, written the plainest way
// (explicit loops, explicit padding, explicit score matrices) so that they
// share no code with the references they check.

func ew(f func(float64) float64) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		y := make([]float64, len(x[0]))
		for i, v := range x[0] {
			y[i] = f(v)
		}
		return y
	}
}

// bin2 is a 2-D broadcasting reference: a is ra x ca and b is rb x cb,
// each dimension either full or 1.
func bin2(ra, ca, rb, cb int, f func(a, b float64) float64) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		r, c := max(ra, rb), max(ca, cb)
		y := make([]float64, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				y[i*c+j] = f(x[0][(i%ra)*ca+j%ca], x[1][(i%rb)*cb+j%cb])
			}
		}
		return y
	}
}

// matRef multiplies op(A) (m x k) by op(B) (k x n) for a batch of nb; an
// operand that is not batched is shared by the whole batch.
func matRef(nb, m, k, n int, ta, tb, aBatched, bBatched bool) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		y := make([]float64, nb*m*n)
		for b := 0; b < nb; b++ {
			A, B := x[0], x[1]
			if aBatched {
				A = A[b*m*k:]
			}
			if bBatched {
				B = B[b*k*n:]
			}
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					for l := 0; l < k; l++ {
						a := A[i*k+l]
						if ta {
							a = A[l*m+i]
						}
						bb := B[l*n+j]
						if tb {
							bb = B[j*k+l]
						}
						y[(b*m+i)*n+j] += a * bb
					}
				}
			}
		}
		return y
	}
}

// convRef pads x explicitly and correlates; x [N,C,H,W], w [O,C,K,K].
func convRef(N, C, H, W, O, K, stride, pad int) func(x [][]float64) []float64 {
	return func(in [][]float64) []float64 {
		hp, wp := H+2*pad, W+2*pad
		xp := make([]float64, N*C*hp*wp)
		for n := 0; n < N; n++ {
			for c := 0; c < C; c++ {
				for h := 0; h < H; h++ {
					for w := 0; w < W; w++ {
						xp[((n*C+c)*hp+h+pad)*wp+w+pad] = in[0][((n*C+c)*H+h)*W+w]
					}
				}
			}
		}
		oh, ow := (hp-K)/stride+1, (wp-K)/stride+1
		y := make([]float64, N*O*oh*ow)
		for n := 0; n < N; n++ {
			for o := 0; o < O; o++ {
				for i := 0; i < oh; i++ {
					for j := 0; j < ow; j++ {
						s := 0.0
						for c := 0; c < C; c++ {
							for a := 0; a < K; a++ {
								for b := 0; b < K; b++ {
									s += xp[((n*C+c)*hp+i*stride+a)*wp+j*stride+b] * in[1][((o*C+c)*K+a)*K+b]
								}
							}
						}
						y[((n*O+o)*oh+i)*ow+j] = s
					}
				}
			}
		}
		return y
	}
}

// attentionRef computes attention with explicit score matrices.
func attentionRef(N, C, L, heads int) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		q, k, v := x[0], x[1], x[2]
		d := C / heads
		y := make([]float64, len(q))
		at := func(t []float64, n, c, i int) float64 { return t[(n*C+c)*L+i] }
		for n := 0; n < N; n++ {
			for h := 0; h < heads; h++ {
				for i := 0; i < L; i++ {
					s := make([]float64, L)
					z := 0.0
					for j := range s {
						for c := h * d; c < (h+1)*d; c++ {
							s[j] += at(q, n, c, i) * at(k, n, c, j) / math.Sqrt(float64(d))
						}
						s[j] = math.Exp(s[j])
						z += s[j]
					}
					for c := h * d; c < (h+1)*d; c++ {
						for j := range s {
							y[(n*C+c)*L+i] += s[j] / z * at(v, n, c, j)
						}
					}
				}
			}
		}
		return y
	}
}

// groupNormRef normalises x [N,C,HW] over each of groups channel groups,
// then applies the per-channel gain and bias.
func groupNormRef(N, C, HW, groups int, eps float64) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		y := make([]float64, len(x[0]))
		size := C / groups * HW // elements per (sample, group)
		for ng := 0; ng < N*groups; ng++ {
			part := x[0][ng*size : (ng+1)*size]
			m, v := 0.0, 0.0
			for _, e := range part {
				m += e / float64(size)
			}
			for _, e := range part {
				v += (e - m) * (e - m) / float64(size)
			}
			for i, e := range part {
				c := (ng%groups)*(C/groups) + i/HW
				y[ng*size+i] = (e-m)/math.Sqrt(v+eps)*x[1][c] + x[2][c]
			}
		}
		return y
	}
}

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
