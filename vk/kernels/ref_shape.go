package kernels

// StridedCopyRef is the reference of StridedCopy: it writes into y.
func StridedCopyRef(x, y []float64, shape []int, xOff int, xStrides []int, yOff int, yStrides []int) {
	n := prod(shape)
	for i := 0; i < n; i++ {
		rem, xi, yi := i, xOff, yOff
		for d := len(shape) - 1; d >= 0; d-- {
			c := rem % shape[d]
			rem /= shape[d]
			xi += c * xStrides[d]
			yi += c * yStrides[d]
		}
		y[yi] = x[xi]
	}
}

// TransposeRef is the reference of Transpose.
func TransposeRef(x []float64, shape, perm []int) []float64 {
	xs := ContiguousStrides(shape)
	out := make([]int, len(perm))
	ss := make([]int, len(perm))
	for i, p := range perm {
		out[i], ss[i] = shape[p], xs[p]
	}
	y := make([]float64, prod(out))
	StridedCopyRef(x, y, out, 0, ss, 0, ContiguousStrides(out))
	return y
}

// Upsample2xRef is nearest-neighbour 2x upsampling of planes of h x w,
// times scale.
func Upsample2xRef(x []float64, planes, h, w int, scale float64) []float64 {
	y := make([]float64, planes*4*h*w)
	for i := range y {
		ow, r := i%(2*w), i/(2*w)
		oh, b := r%(2*h), r/(2*h)
		y[i] = scale * x[(b*h+oh/2)*w+ow/2]
	}
	return y
}

// Pool2xRef sums the 2x2 blocks of planes of h x w (even), times scale
// (0.25: average pooling).
func Pool2xRef(x []float64, planes, h, w int, scale float64) []float64 {
	y := make([]float64, planes*h*w/4)
	for i := range y {
		ow, r := i%(w/2), i/(w/2)
		oh, b := r%(h/2), r/(h/2)
		o := (b*h+2*oh)*w + 2*ow
		y[i] = scale * (x[o] + x[o+1] + x[o+w] + x[o+w+1])
	}
	return y
}
