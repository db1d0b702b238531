package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/vk"
)

// MaxCopyDims is the rank strided_copy.comp handles after merging
// dimensions that are contiguous in both x and y.
const MaxCopyDims = 6

// mergeCopyDims drops size-1 dimensions and merges neighbours that are
// contiguous in both operands, so most copies need few dimensions.
func mergeCopyDims(shape, xs, ys []int) (s, a, b []int) {
	for d := range shape {
		if shape[d] == 1 {
			continue
		}
		if k := len(s) - 1; k >= 0 && a[k] == xs[d]*shape[d] && b[k] == ys[d]*shape[d] {
			s[k] *= shape[d]
			a[k], b[k] = xs[d], ys[d]
			continue
		}
		s, a, b = append(s, shape[d]), append(a, xs[d]), append(b, ys[d])
	}
	return s, a, b
}

// extent returns the largest element index of a strided block plus one.
func extent(off int, shape, strides []int) int {
	e := off
	for d := range shape {
		e += (shape[d] - 1) * strides[d]
	}
	return e + 1
}

// StridedCopy records y[yOff + sum_d i_d*yStrides[d]] = x[xOff + sum_d
// i_d*xStrides[d]] for every index i of shape (any rank; at most
// MaxCopyDims after merging contiguous dimensions). Strides are in elements
// and non-negative; a zero x stride broadcasts. Elements of y outside the
// block are left alone, so concatenation is one call per input into an
// offset of the output.
func (l *Lib) StridedCopy(seq *vk.Sequence, x, y *vk.Buffer, shape []int, xOff int, xStrides []int, yOff int, yStrides []int) error {
	if len(xStrides) != len(shape) || len(yStrides) != len(shape) {
		return fmt.Errorf("kernels: strided copy: shape %v with strides %v and %v", shape, xStrides, yStrides)
	}
	n := prod(shape)
	if n == 0 {
		return nil
	}
	if xOff < 0 || yOff < 0 {
		return fmt.Errorf("kernels: strided copy: negative offset (%d, %d)", xOff, yOff)
	}
	for d := range shape {
		if shape[d] < 0 || xStrides[d] < 0 || yStrides[d] < 0 {
			return fmt.Errorf("kernels: strided copy: negative size or stride in %v, %v, %v", shape, xStrides, yStrides)
		}
	}
	if err := checkLen("strided copy", "x", x, extent(xOff, shape, xStrides)); err != nil {
		return err
	}
	if err := checkLen("strided copy", "y", y, extent(yOff, shape, yStrides)); err != nil {
		return err
	}
	s, a, b := mergeCopyDims(shape, xStrides, yStrides)
	if len(s) > MaxCopyDims {
		return fmt.Errorf("kernels: strided copy of shape %v: %d dimensions after merging, at most %d", shape, len(s), MaxCopyDims)
	}
	if len(s) == 1 && a[0] == 1 && b[0] == 1 && !x.Overlaps(y) {
		// One contiguous run: the transfer engine's copy (memcpy on lavapipe).
		return seq.CopyRegion(y, 4*uint64(yOff), x, 4*uint64(xOff), 4*uint64(n))
	}
	if l.Tuning.CopyRows && !x.Overlaps(y) {
		// Contiguous rows (concatenation, slices of rows, most permutes):
		// on lavapipe one copy of many ranges is a memcpy per row, where the
		// shader pays a division per dimension per element.
		if ranges, ok := rowRanges(s, a, b, xOff, yOff); ok {
			return seq.CopyRanges(y, x, ranges)
		}
	}
	var ps, pa, pb [MaxCopyDims]int
	for d := range ps {
		ps[d] = 1
	}
	off := MaxCopyDims - len(s)
	copy(ps[off:], s)
	copy(pa[off:], a)
	copy(pb[off:], b)
	k, err := l.kernel1D("strided_copy", uint32(max(len(s), 1)))
	if err != nil {
		return err
	}
	vals := []any{uint32(n), uint32(xOff), uint32(yOff)}
	for _, arr := range [][MaxCopyDims]int{ps, pa, pb} {
		for _, v := range arr {
			vals = append(vals, uint32(v))
		}
	}
	return seq.Dispatch(k, k.Groups(n), vk.Push(vals...), x, y)
}

// maxCopyRows bounds the ranges of one row-wise copy.
const maxCopyRows = 1 << 16

// rowRanges lists the contiguous rows of a merged strided block (its last
// dimension contiguous in x and y) as byte ranges; false when the last
// dimension is not contiguous or the rows are too many.
func rowRanges(shape, xs, ys []int, xOff, yOff int) ([]vk.CopyRange, bool) {
	last := len(shape) - 1
	if last < 1 || xs[last] != 1 || ys[last] != 1 {
		return nil, false
	}
	rows := prod(shape[:last])
	if rows > maxCopyRows {
		return nil, false
	}
	ranges := make([]vk.CopyRange, 0, rows)
	idx := make([]int, last)
	for r := 0; r < rows; r++ {
		xo, yo := xOff, yOff
		for d, c := range idx {
			xo += c * xs[d]
			yo += c * ys[d]
		}
		ranges = append(ranges, vk.CopyRange{SrcOff: 4 * uint64(xo), DstOff: 4 * uint64(yo), Size: 4 * uint64(shape[last])})
		for d := last - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return ranges, true
}

// ContiguousStrides returns the row-major element strides of shape.
func ContiguousStrides(shape []int) []int { return ref.Strides(shape) }

// Transpose records y = x with dimensions permuted: dimension i of y (shape
// shape[perm[i]]) is dimension perm[i] of x (of shape shape), as
// graph.Transpose.
func (l *Lib) Transpose(seq *vk.Sequence, x, y *vk.Buffer, shape, perm []int) error {
	if len(perm) != len(shape) {
		return fmt.Errorf("kernels: transpose of %v by %v", shape, perm)
	}
	xs := ContiguousStrides(shape)
	out := make([]int, len(perm))
	ss := make([]int, len(perm))
	seen := make([]bool, len(perm))
	for i, p := range perm {
		if p < 0 || p >= len(shape) || seen[p] {
			return fmt.Errorf("kernels: transpose of %v by invalid permutation %v", shape, perm)
		}
		seen[p] = true
		out[i], ss[i] = shape[p], xs[p]
	}
	return l.StridedCopy(seq, x, y, out, 0, ss, 0, ContiguousStrides(out))
}

// Slice records y = x[start[i]:end[i]] along every axis i of x (shape
// shape), as graph.Slice; y is contiguous with shape end-start.
func (l *Lib) Slice(seq *vk.Sequence, x, y *vk.Buffer, shape, start, end []int) error {
	if len(start) != len(shape) || len(end) != len(shape) {
		return fmt.Errorf("kernels: slice [%v, %v) of %v", start, end, shape)
	}
	out := make([]int, len(shape))
	for i := range shape {
		if start[i] < 0 || end[i] > shape[i] || start[i] > end[i] {
			return fmt.Errorf("kernels: slice [%v, %v) out of range of %v", start, end, shape)
		}
		out[i] = end[i] - start[i]
	}
	xs := ContiguousStrides(shape)
	off := 0
	for i := range start {
		off += start[i] * xs[i]
	}
	return l.StridedCopy(seq, x, y, out, off, xs, 0, ContiguousStrides(out))
}

// Pad records y = x surrounded by before[i] zeros before and after[i] zeros
// after along every axis i, as graph.Pad (a fill and a strided copy).
func (l *Lib) Pad(seq *vk.Sequence, x, y *vk.Buffer, shape, before, after []int) error {
	if len(before) != len(shape) || len(after) != len(shape) {
		return fmt.Errorf("kernels: padding %v, %v of %v", before, after, shape)
	}
	out := make([]int, len(shape))
	for i := range shape {
		if before[i] < 0 || after[i] < 0 {
			return fmt.Errorf("kernels: negative padding %v, %v", before, after)
		}
		out[i] = shape[i] + before[i] + after[i]
	}
	if err := l.Fill(seq, y, prod(out), 0); err != nil {
		return err
	}
	ys := ContiguousStrides(out)
	off := 0
	for i := range before {
		off += before[i] * ys[i]
	}
	return l.StridedCopy(seq, x, y, shape, 0, ContiguousStrides(shape), off, ys)
}

// Concat records y = the xs (of shapes shapes) joined along axis, as
// graph.Concat: one dispatch per input.
func (l *Lib) Concat(seq *vk.Sequence, xs []*vk.Buffer, y *vk.Buffer, shapes [][]int, axis int) error {
	if len(xs) == 0 || len(xs) != len(shapes) {
		return fmt.Errorf("kernels: concat of %d buffers with %d shapes", len(xs), len(shapes))
	}
	rank := len(shapes[0])
	if axis < 0 || axis >= rank {
		return fmt.Errorf("kernels: concat axis %d of rank %d", axis, rank)
	}
	out := append([]int(nil), shapes[0]...)
	out[axis] = 0
	for _, s := range shapes {
		if len(s) != rank {
			return fmt.Errorf("kernels: concat of shapes %v and %v", shapes[0], s)
		}
		for i := range s {
			if i != axis && s[i] != out[i] {
				return fmt.Errorf("kernels: concat of shapes %v and %v off axis %d", shapes[0], s, axis)
			}
		}
		out[axis] += s[axis]
	}
	ys := ContiguousStrides(out)
	at := 0
	for i, x := range xs {
		if err := l.StridedCopy(seq, x, y, shapes[i], 0, ContiguousStrides(shapes[i]), at*ys[axis], ys); err != nil {
			return err
		}
		at += shapes[i][axis]
	}
	return nil
}

// BroadcastTo records y = x (of shape in) broadcast to shape out with
// NumPy's rules (right-aligned; size-1 dimensions repeat), as
// graph.BroadcastTo.
func (l *Lib) BroadcastTo(seq *vk.Sequence, x, y *vk.Buffer, in, out []int) error {
	if len(in) > len(out) {
		return fmt.Errorf("kernels: shape %v does not broadcast to %v", in, out)
	}
	xs := ContiguousStrides(in)
	ss := make([]int, len(out))
	lead := len(out) - len(in)
	for i := range in {
		switch in[i] {
		case out[lead+i]:
			ss[lead+i] = xs[i]
		case 1:
		default:
			return fmt.Errorf("kernels: shape %v does not broadcast to %v", in, out)
		}
	}
	return l.StridedCopy(seq, x, y, out, 0, ss, 0, ContiguousStrides(out))
}
