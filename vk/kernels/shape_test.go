package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// unravel returns the coordinates of flat index i in shape.
func unravel(i int, shape []int) []int {
	c := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		c[d] = i % shape[d]
		i /= shape[d]
	}
	return c
}

func ravel(c, shape []int) int {
	i := 0
	for d := range shape {
		i = i*shape[d] + c[d]
	}
	return i
}

// TestStridedCopyShapes runs with row-wise transfer copies (CPU-type
// devices) and without (the shader, as on GPUs).
func TestStridedCopyShapes(t *testing.T) {
	for _, rows := range []bool{true, false} {
		t.Run(fmt.Sprintf("CopyRows=%v", rows), func(t *testing.T) {
			l := testLib(t)
			l.Tuning.CopyRows = rows
			testStridedCopyShapes(t, l)
		})
	}
}

func testStridedCopyShapes(t *testing.T, l *Lib) {
	rng := rand.New(rand.NewPCG(5, 6))

	// Transpose, including 7-D ones that merge to at most 6 dimensions.
	for _, c := range []struct{ shape, perm []int }{
		{[]int{5, 7}, []int{1, 0}},
		{[]int{2, 3, 5, 7}, []int{0, 2, 3, 1}},
		{[]int{2, 3, 5, 7}, []int{3, 1, 0, 2}},
		{[]int{2, 1, 3, 2, 3, 2, 2}, []int{6, 5, 4, 3, 2, 0, 1}},
		{[]int{3, 2, 2, 3, 2, 3}, []int{5, 4, 3, 2, 1, 0}},
	} {
		x := randn(rng, prod(c.shape), 1, 0)
		want := make([]float64, len(x))
		out := make([]int, len(c.perm))
		for i, p := range c.perm {
			out[i] = c.shape[p]
		}
		for i := range want { // independent of ref.StridedCopy
			oc := unravel(i, out)
			xc := make([]int, len(oc))
			for k, p := range c.perm {
				xc[p] = oc[k]
			}
			want[i] = x[ravel(xc, c.shape)]
		}
		vktest.Close(t, "transpose ref", f32(ref.Transpose(x, c.shape, c.perm)), want, 1e-6, 1e-7)
		xb, yb := upload(t, l, x), newBuf(t, l, len(x))
		run(t, l, func(seq *vk.Sequence) error { return l.Transpose(seq, xb, yb, c.shape, c.perm) })
		vktest.Close(t, "transpose", download(t, yb, len(x)), want, 1e-6, 1e-7)
	}

	// Slice and pad.
	shape := []int{2, 3, 5, 7}
	x := randn(rng, prod(shape), 1, 0)
	start, end := []int{1, 0, 1, 2}, []int{2, 3, 4, 7}
	out := []int{1, 3, 3, 5}
	want := make([]float64, prod(out))
	for i := range want {
		oc := unravel(i, out)
		for d := range oc {
			oc[d] += start[d]
		}
		want[i] = x[ravel(oc, shape)]
	}
	xb, yb := upload(t, l, x), newBuf(t, l, len(want))
	run(t, l, func(seq *vk.Sequence) error { return l.Slice(seq, xb, yb, shape, start, end) })
	vktest.Close(t, "slice", download(t, yb, len(want)), want, 1e-6, 1e-7)

	before, after := []int{0, 1, 2, 1}, []int{1, 0, 1, 2}
	pshape := []int{3, 4, 8, 10}
	pwant := make([]float64, prod(pshape))
	for i := range x {
		c := unravel(i, shape)
		for d := range c {
			c[d] += before[d]
		}
		pwant[ravel(c, pshape)] = x[i]
	}
	pb := upload(t, l, randn(rng, len(pwant), 1, 5)) // garbage that must be zeroed
	run(t, l, func(seq *vk.Sequence) error { return l.Pad(seq, xb, pb, shape, before, after) })
	vktest.Close(t, "pad", download(t, pb, len(pwant)), pwant, 1e-6, 1e-7)

	// Concat along each axis.
	for axis := 0; axis < 3; axis++ {
		shapes := [][]int{{2, 3, 5}, {2, 3, 5}, {2, 3, 5}}
		shapes[1][axis], shapes[2][axis] = 1, 4
		var xs []*vk.Buffer
		var vals [][]float64
		total := 0
		for _, s := range shapes {
			v := randn(rng, prod(s), 1, 0)
			vals, xs = append(vals, v), append(xs, upload(t, l, v))
			total += s[axis]
		}
		out := []int{2, 3, 5}
		out[axis] = total
		want := make([]float64, prod(out))
		for i := range want {
			c := unravel(i, out)
			k := 0
			for c[axis] >= shapes[k][axis] {
				c[axis] -= shapes[k][axis]
				k++
			}
			want[i] = vals[k][ravel(c, shapes[k])]
		}
		yb := newBuf(t, l, len(want))
		run(t, l, func(seq *vk.Sequence) error { return l.Concat(seq, xs, yb, shapes, axis) })
		vktest.Close(t, "concat", download(t, yb, len(want)), want, 1e-6, 1e-7)
	}

	// Broadcast.
	for _, c := range []struct{ in, out []int }{
		{[]int{3, 1, 1}, []int{2, 3, 5, 7}},
		{[]int{1, 7}, []int{5, 7}},
		{[]int{}, []int{67}},
		{[]int{2, 1, 5, 1}, []int{2, 3, 5, 7}},
	} {
		x := randn(rng, prod(c.in), 1, 0)
		want, err := BinaryRef(Add, make([]float64, prod(c.out)), x, c.out, c.in)
		if err != nil {
			t.Fatal(err)
		}
		xb, yb := upload(t, l, x), newBuf(t, l, len(want))
		run(t, l, func(seq *vk.Sequence) error { return l.BroadcastTo(seq, xb, yb, c.in, c.out) })
		vktest.Close(t, "broadcast", download(t, yb, len(want)), want, 1e-6, 1e-7)
	}

	// Errors: too many dimensions after merging, out-of-range reads.
	big := []int{2, 2, 2, 2, 2, 2, 2}
	bb := newBuf(t, l, 128)
	run(t, l, func(seq *vk.Sequence) error {
		if err := l.Transpose(seq, bb, bb, big, []int{6, 5, 4, 3, 2, 1, 0}); err == nil {
			t.Error("a 7-D reversal was accepted")
		}
		if err := l.Slice(seq, bb, bb, []int{4, 4}, []int{0, 0}, []int{5, 4}); err == nil {
			t.Error("an out-of-range slice was accepted")
		}
		return nil
	})
}

func TestResample2x(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{1, 1, 1}, {6, 5, 7}, {3, 9, 4}, {67, 7, 7}} {
		planes, h, w := s[0], s[1], s[2]
		x := randn(rng, planes*h*w, 1, 0)
		xb, up := upload(t, l, x), newBuf(t, l, 4*len(x))
		run(t, l, func(seq *vk.Sequence) error { return l.Upsample2x(seq, xb, up, planes, h, w) })
		vktest.Close(t, "upsample", download(t, up, 4*len(x)), ref.Upsample2x(x, planes, h, w, 1), 1e-6, 1e-7)

		gy := randn(rng, 4*len(x), 1, 0)
		gyb, gx := upload(t, l, gy), newBuf(t, l, len(x))
		run(t, l, func(seq *vk.Sequence) error { return l.Upsample2xBackward(seq, gyb, gx, planes, h, w) })
		vktest.Close(t, "upsample grad", download(t, gx, len(x)), ref.Pool2x(gy, planes, 2*h, 2*w, 1), 1e-6, 1e-6)

		// pooling of the 2h x 2w planes and its gradient
		pb := newBuf(t, l, len(x))
		run(t, l, func(seq *vk.Sequence) error { return l.AvgPool2x(seq, gyb, pb, planes, 2*h, 2*w) })
		vktest.Close(t, "pool", download(t, pb, len(x)), ref.Pool2x(gy, planes, 2*h, 2*w, 0.25), 1e-6, 1e-6)
		gp := newBuf(t, l, 4*len(x))
		run(t, l, func(seq *vk.Sequence) error { return l.AvgPool2xBackward(seq, xb, gp, planes, 2*h, 2*w) })
		vktest.Close(t, "pool grad", download(t, gp, 4*len(x)), ref.Upsample2x(x, planes, h, w, 0.25), 1e-6, 1e-7)
	}
	run(t, l, func(seq *vk.Sequence) error {
		if err := l.AvgPool2x(seq, newBuf(t, l, 9), newBuf(t, l, 9), 1, 3, 3); err == nil {
			t.Error("pooling of an odd size was accepted")
		}
		return nil
	})
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i := range v {
		out[i] = float32(v[i])
	}
	return out
}

// TestStridedCopyContiguous: a block that merges into one contiguous run
// is a transfer copy; within one buffer it stays a shader copy. Elements
// outside the block keep their values.
func TestStridedCopyContiguous(t *testing.T) {
	l := testLib(t)
	x := make([]float64, 50)
	for i := range x {
		x[i] = float64(i) + 0.5
	}
	for _, same := range []bool{false, true} {
		xb := upload(t, l, x)
		yb := xb
		if !same {
			yb = upload(t, l, make([]float64, 50))
		}
		want := make([]float64, 50)
		if same {
			copy(want, x)
		}
		// [2 12] rows of 12 contiguous in both: one run of 24 from 26 to 1.
		copy(want[1:25], x[26:50])
		run(t, l, func(seq *vk.Sequence) error {
			return l.StridedCopy(seq, xb, yb, []int{2, 12}, 26, []int{12, 1}, 1, []int{12, 1})
		})
		vktest.Close(t, fmt.Sprintf("contiguous copy (same buffer %v)", same), download(t, yb, 50), want, 0, 0)
	}
}
