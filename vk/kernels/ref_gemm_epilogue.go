package kernels

import "github.com/sdevk/sdevk/graph/ref"

// GemmBiasActRef is the float64 reference of GemmBiasAct.
func GemmBiasActRef(transA, transB bool, m, n, k int, a, b, bias []float64, act UnaryOp, gamma float64) []float64 {
	c := ref.Gemm(transA, transB, m, n, k, 1, a, b, 0, make([]float64, m*n), 1, 0, 0, 0)
	for i := range c {
		c[i] += bias[i%n]
	}
	return UnaryRef(act, c, 1, 0, gamma)
}
