package graph

import (
	"fmt"
	"slices"

	"github.com/sdevk/sdevk/graph/ref"
)

// Shape is the list of dimensions of a tensor, outermost first. A nil or
// empty Shape is a scalar. Image tensors are NCHW.
type Shape []int

// Rank returns the number of dimensions of s.
func (s Shape) Rank() int { return len(s) }

// Size returns the number of elements of s (1 for a scalar).
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Bytes returns the size in bytes of a float32 tensor of shape s.
func (s Shape) Bytes() int { return 4 * s.Size() }

// Equal reports whether s and t have the same dimensions.
func (s Shape) Equal(t Shape) bool { return slices.Equal(s, t) }

// Clone returns a copy of s.
func (s Shape) Clone() Shape { return append(Shape{}, s...) }

// String formats s as [d0 d1 ...].
func (s Shape) String() string { return fmt.Sprint([]int(s)) }

// Strides returns the row-major element strides of s.
func (s Shape) Strides() []int { return ref.Strides(s) }

func (s Shape) valid() bool {
	for _, d := range s {
		if d <= 0 {
			return false
		}
	}
	return true
}

// BroadcastShapes returns the NumPy-style broadcast of a and b: shapes are
// aligned at their last dimension and a dimension of 1 stretches.
func BroadcastShapes(a, b Shape) (Shape, error) {
	r := max(len(a), len(b))
	out := make(Shape, r)
	for i := 0; i < r; i++ {
		da, db := dimFromEnd(a, r-1-i), dimFromEnd(b, r-1-i)
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// dimFromEnd returns dimension len(s)-1-k of s, or 1 beyond its rank.
func dimFromEnd(s Shape, k int) int {
	if k < len(s) {
		return s[len(s)-1-k]
	}
	return 1
}

// broadcastable reports whether in broadcasts to out without changing out.
func broadcastable(in, out Shape) bool {
	if len(in) > len(out) {
		return false
	}
	for k := range in {
		d := dimFromEnd(in, k)
		if d != 1 && d != dimFromEnd(out, k) {
			return false
		}
	}
	return true
}

// indexMap returns m with m[i] the linear index in a tensor of shape in read
// by element i of a tensor of shape out, when in broadcasts to out.
func indexMap(in, out Shape) []int { return ref.BroadcastIndex(in, out) }

// normAxes checks axes against rank r, resolves negative ones and returns
// them sorted without duplicates.
func normAxes(axes []int, r int) ([]int, error) {
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		if a < 0 {
			a += r
		}
		if a < 0 || a >= r {
			return nil, fmt.Errorf("axis %d out of range for rank %d", a, r)
		}
		out = append(out, a)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
