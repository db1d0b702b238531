package torchckpt

import (
	"fmt"

	"github.com/nlpodyssey/gopickle/pytorch"

	"github.com/sdevk/sdevk/checkpoint"
)

// copyBudget bounds what the tensors of one file copy out of its storages:
// pickle can name one tensor many times for two bytes each (a list
// [t]*20000), so each tensor's own bound (no more elements than its
// storage) does not bound the whole. A real checkpoint copies each storage
// about once (model and EMA have their own); twice that, plus slack for
// small views, is allowed.
type copyBudget struct {
	seen            map[any]bool
	storage, copied int
}

func (b *copyBudget) take(storage any, n, count int) error {
	if b.seen == nil {
		b.seen = map[any]bool{}
	}
	if !b.seen[storage] {
		b.seen[storage] = true
		b.storage += n
	}
	b.copied += count
	if b.copied > 2*b.storage+1<<20 {
		return fmt.Errorf("copies %d values out of storages of %d in all: tensors repeat a storage", b.copied, b.storage)
	}
	return nil
}

// toFloat32 copies a decoded tensor into a row-major float32 tensor,
// following its storage offset and strides, within budget b. Floating
// storages of any width are accepted (score_sde keeps sigmas in float64);
// integer ones are not.
func toFloat32(v any, b *copyBudget) (checkpoint.Tensor, error) {
	t, ok := v.(*pytorch.Tensor)
	if !ok || t == nil {
		return checkpoint.Tensor{}, fmt.Errorf("is a %s, not a tensor", pyType(v))
	}
	var get func(i int) float32
	var n int
	switch s := t.Source.(type) {
	case *pytorch.FloatStorage:
		n, get = len(s.Data), func(i int) float32 { return s.Data[i] }
	case *pytorch.DoubleStorage:
		n, get = len(s.Data), func(i int) float32 { return float32(s.Data[i]) }
	case *pytorch.HalfStorage:
		n, get = len(s.Data), func(i int) float32 { return s.Data[i] }
	case *pytorch.BFloat16Storage:
		n, get = len(s.Data), func(i int) float32 { return s.Data[i] }
	default:
		return checkpoint.Tensor{}, fmt.Errorf("has storage %T, want a floating-point one", t.Source)
	}
	if len(t.Stride) != len(t.Size) {
		return checkpoint.Tensor{}, fmt.Errorf("has %d sizes and %d strides", len(t.Size), len(t.Stride))
	}
	count := 1
	for i, d := range t.Size {
		if d < 0 || t.Stride[i] < 0 {
			return checkpoint.Tensor{}, fmt.Errorf("has size %v and stride %v", t.Size, t.Stride)
		}
		// No more elements than the storage holds: a parameter is never a
		// broadcast view, and a hostile shape cannot ask for more memory
		// than the file brings.
		if d > 0 && count > n/d {
			return checkpoint.Tensor{}, fmt.Errorf("has size %v, more elements than its storage of %d", t.Size, n)
		}
		count *= d
	}
	if count > 0 && !withinStorage(t, n) {
		return checkpoint.Tensor{}, fmt.Errorf("reads past its storage of %d values (offset %d, size %v, stride %v)", n, t.StorageOffset, t.Size, t.Stride)
	}
	if err := b.take(t.Source, n, count); err != nil {
		return checkpoint.Tensor{}, err
	}
	out := checkpoint.Tensor{Shape: append([]int{}, t.Size...), Data: make([]float32, count)}
	idx := make([]int, len(t.Size))
	for k := range out.Data {
		off := t.StorageOffset
		for i, j := range idx {
			off += j * t.Stride[i]
		}
		out.Data[k] = get(off)
		for i := len(idx) - 1; i >= 0; i-- { // next row-major index
			if idx[i]++; idx[i] < t.Size[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

// withinStorage reports whether every index of the non-empty tensor t falls
// inside a storage of n values, without overflowing.
func withinStorage(t *pytorch.Tensor, n int) bool {
	last := t.StorageOffset // the largest storage index read so far
	if last < 0 || last >= n {
		return false
	}
	for i, d := range t.Size {
		if st := t.Stride[i]; d > 1 && st > 0 {
			if d-1 > (n-1-last)/st {
				return false
			}
			last += (d - 1) * st
		}
	}
	return true
}
