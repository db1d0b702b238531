package kernels

import "github.com/sdevk/sdevk/graph/ref"

// GemmBiasActRef is the float64 reference of GemmBiasAct.
func GemmBiasActRef(transA, transB bool, m, n, k int, a, b, bias []float64, beta float64, c []float64, act UnaryOp, gamma float64) []float64 {
	out := ref.Gemm(transA, transB, m, n, k, 1, a, b, beta, c, 1, 0, 0, 0)
	for i := range out {
		out[i] += bias[i%n]
	}
	return UnaryRef(act, out, 1, 0, gamma)
}
