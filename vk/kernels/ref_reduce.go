package kernels

import "math"

// ReduceRef is the float64 reference of Reduce: out[o*inner+j] = scale * op
// over a of x[(o*axis+a)*inner+j].
func ReduceRef(op ReduceOp, x []float64, outer, axis, inner int, scale float64) []float64 {
	out := make([]float64, outer*inner)
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			acc := 0.0
			if op == ReduceMax {
				acc = math.Inf(-1)
			}
			for a := 0; a < axis; a++ {
				v := x[(o*axis+a)*inner+j]
				switch op {
				case ReduceSum:
					acc += v
				case ReduceMax:
					acc = math.Max(acc, v)
				case ReduceSumSq:
					acc += v * v
				}
			}
			out[o*inner+j] = scale * acc
		}
	}
	return out
}
