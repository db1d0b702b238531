package ref

import "math"

// ReduceSum sums x of the given shape over axes (each at most once); the
// result has the shape with those axes set to 1.
func ReduceSum(x []float64, shape, axes []int) []float64 {
	return reduce(x, shape, axes, 0, func(acc, v float64) float64 { return acc + v })
}

// ReduceMax takes the maximum of x over axes, like ReduceSum.
func ReduceMax(x []float64, shape, axes []int) []float64 {
	return reduce(x, shape, axes, math.Inf(-1), math.Max)
}

func reduce(x []float64, shape, axes []int, init float64, f func(acc, v float64) float64) []float64 {
	kept := append([]int(nil), shape...)
	for _, a := range axes {
		kept[a] = 1
	}
	m := BroadcastIndex(kept, shape)
	out := make([]float64, Size(kept))
	for i := range out {
		out[i] = init
	}
	for i, v := range x {
		out[m[i]] = f(out[m[i]], v)
	}
	return out
}
