package ref

// Strides returns the row-major element strides of shape.
func Strides(shape []int) []int {
	st := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= shape[i]
	}
	return st
}

// Size is the number of elements of a tensor of the given shape.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// StridedCopy copies the elements of a block of the given shape from src
// (offset so, element strides ss) to dst (offset do, strides ds).
func StridedCopy(dst []float64, do int, ds []int, src []float64, so int, ss []int, shape []int) {
	if Size(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		dst[do] = src[so]
		d := len(shape) - 1
		for ; d >= 0; d-- {
			idx[d]++
			do += ds[d]
			so += ss[d]
			if idx[d] < shape[d] {
				break
			}
			do -= ds[d] * idx[d]
			so -= ss[d] * idx[d]
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// Transpose permutes the dimensions of x of the given shape: dimension i of
// the result is dimension perm[i] of x.
func Transpose(x []float64, shape, perm []int) []float64 {
	xs := Strides(shape)
	out := make([]int, len(perm))
	ss := make([]int, len(perm))
	for i, p := range perm {
		out[i], ss[i] = shape[p], xs[p]
	}
	y := make([]float64, len(x))
	StridedCopy(y, 0, Strides(out), x, 0, ss, out)
	return y
}

// Slice keeps the elements of x with start[i] <= index i < end[i].
func Slice(x []float64, shape, start, end []int) []float64 {
	out := make([]int, len(shape))
	for i := range out {
		out[i] = end[i] - start[i]
	}
	y := make([]float64, Size(out))
	xs := Strides(shape)
	StridedCopy(y, 0, Strides(out), x, offset(start, xs), xs, out)
	return y
}

// Pad surrounds x with before[i] zeros before and after[i] after axis i.
func Pad(x []float64, shape, before, after []int) []float64 {
	out := make([]int, len(shape))
	for i := range out {
		out[i] = before[i] + shape[i] + after[i]
	}
	y := make([]float64, Size(out))
	ys := Strides(out)
	StridedCopy(y, offset(before, ys), ys, x, 0, Strides(shape), shape)
	return y
}

// Concat joins xs, of the given shapes, along axis.
func Concat(xs [][]float64, shapes [][]int, axis int) []float64 {
	out := append([]int(nil), shapes[0]...)
	for _, s := range shapes[1:] {
		out[axis] += s[axis]
	}
	y := make([]float64, Size(out))
	ys := Strides(out)
	at := 0
	for i, x := range xs {
		StridedCopy(y, at*ys[axis], ys, x, 0, Strides(shapes[i]), shapes[i])
		at += shapes[i][axis]
	}
	return y
}

// BroadcastTo broadcasts x of shape in to shape out (NumPy rules).
func BroadcastTo(x []float64, in, out []int) []float64 {
	m := BroadcastIndex(in, out)
	y := make([]float64, len(m))
	for i, j := range m {
		y[i] = x[j]
	}
	return y
}

func offset(idx, strides []int) int {
	o := 0
	for i := range idx {
		o += idx[i] * strides[i]
	}
	return o
}

// BroadcastIndex returns m with m[i] the linear index in a tensor of shape
// in read by element i of a tensor of shape out, when in broadcasts to out
// (NumPy rules: aligned at the last dimension, a dimension of 1 stretches).
func BroadcastIndex(in, out []int) []int {
	st := make([]int, len(out)) // stride of in along each dimension of out, 0 where broadcast
	ist := Strides(in)
	off := len(out) - len(in)
	for i := off; i < len(out); i++ {
		if in[i-off] != 1 {
			st[i] = ist[i-off]
		}
	}
	m := make([]int, Size(out))
	idx := make([]int, len(out))
	o := 0
	for i := range m {
		m[i] = o
		for d := len(out) - 1; d >= 0; d-- {
			idx[d]++
			o += st[d]
			if idx[d] < out[d] {
				break
			}
			o -= st[d] * idx[d]
			idx[d] = 0
		}
	}
	return m
}

// Upsample2x repeats every element of planes of h x w twice along each of
// the two dimensions (nearest-neighbour upsampling), times scale.
func Upsample2x(x []float64, planes, h, w int, scale float64) []float64 {
	y := make([]float64, planes*4*h*w)
	for i := range y {
		ow, r := i%(2*w), i/(2*w)
		oh, b := r%(2*h), r/(2*h)
		y[i] = scale * x[(b*h+oh/2)*w+ow/2]
	}
	return y
}

// Pool2x sums the 2x2 blocks of planes of h x w (both even), times scale
// (0.25: average pooling).
func Pool2x(x []float64, planes, h, w int, scale float64) []float64 {
	y := make([]float64, planes*h*w/4)
	for i := range y {
		ow, r := i%(w/2), i/(w/2)
		oh, b := r%(h/2), r/(h/2)
		o := (b*h+2*oh)*w + 2*ow
		y[i] = scale * (x[o] + x[o+1] + x[o+w] + x[o+w+1])
	}
	return y
}
