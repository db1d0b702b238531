package kernels

// AXPBYPCZRef is the float64 reference of the fused 4-stream update.
func AXPBYPCZRef(x, g, z []float64, a, b, c float64) []float64 {
	y := make([]float64, len(x))
	for i := range y {
		y[i] = a*x[i] + b*g[i] + c*z[i]
	}
	return y
}
