package ref

// MatMul returns the m x n product op(A) op(B) of the row-major matrices at
// the start of a and b: op(A) is m x k (A stored k x m when transA), op(B)
// is k x n (B stored n x k when transB).
func MatMul(transA, transB bool, m, n, k int, a, b []float64) []float64 {
	// Element strides of the logical (row, inner) and (inner, col) indices.
	ar, ak := k, 1
	if transA {
		ar, ak = 1, m
	}
	bk, bc := n, 1
	if transB {
		bk, bc = 1, k
	}
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				s += a[i*ar+l*ak] * b[l*bk+j*bc]
			}
			out[i*n+j] = s
		}
	}
	return out
}

// Gemm returns a copy of c with C_z = alpha op(A_z) op(B_z) + beta C_z for
// each of the batch products z, A_z starting at z*strideA of a (likewise B
// and C; a zero stride broadcasts one matrix, batch <= 1 is one product).
// beta == 0 ignores C's values.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64, batch, strideA, strideB, strideC int) []float64 {
	out := append([]float64(nil), c...)
	if batch <= 1 {
		batch, strideA, strideB, strideC = 1, 0, 0, 0
	}
	for z := 0; z < batch; z++ {
		p := MatMul(transA, transB, m, n, k, a[z*strideA:], b[z*strideB:])
		o := out[z*strideC:]
		for i, v := range p {
			v *= alpha
			if beta != 0 {
				v += beta * o[i]
			}
			o[i] = v
		}
	}
	return out
}
