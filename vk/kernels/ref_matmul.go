package kernels

// GemmRef is the float64 reference of Gemm: it returns a copy of c with
// C_i = alpha * op(A_i) op(B_i) + beta * C_i for each of the batch products
// (same layouts, strides and broadcasting as Gemm; beta == 0 ignores C).
func GemmRef(transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64, batch, strideA, strideB, strideC int) []float64 {
	out := append([]float64(nil), c...)
	if batch <= 1 {
		batch, strideA, strideB, strideC = 1, 0, 0, 0
	}
	for z := 0; z < batch; z++ {
		oa, ob, oc := z*strideA, z*strideB, z*strideC
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					x := a[oa+i*k+p]
					if transA {
						x = a[oa+p*m+i]
					}
					y := b[ob+p*n+j]
					if transB {
						y = b[ob+j*k+p]
					}
					s += x * y
				}
				v := alpha * s
				if beta != 0 {
					v += beta * out[oc+i*n+j]
				}
				out[oc+i*n+j] = v
			}
		}
	}
	return out
}
