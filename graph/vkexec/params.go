package vkexec

import (
	"errors"
	"fmt"
	"sort"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
)

// ParamStore holds named parameter tensors in device memory.
type ParamStore struct {
	dev    *vk.Device
	bufs   map[string]*vk.Buffer
	shapes map[string]graph.Shape
	packed []*vk.Buffer // the buffers Pack made
}

// NewParamStore returns an empty store on dev.
func NewParamStore(dev *vk.Device) *ParamStore {
	return &ParamStore{dev: dev, bufs: map[string]*vk.Buffer{}, shapes: map[string]graph.Shape{}}
}

// Set creates or overwrites the parameter name with values of shape.
func (s *ParamStore) Set(name string, shape graph.Shape, values []float32) error {
	if len(values) != shape.Size() {
		return fmt.Errorf("vkexec: param %q: %d values for shape %v", name, len(values), shape)
	}
	b, ok := s.bufs[name]
	if ok && !s.shapes[name].Equal(shape) {
		return fmt.Errorf("vkexec: param %q has shape %v, not %v", name, s.shapes[name], shape)
	}
	if !ok {
		var err error
		if b, err = s.dev.NewBufferF32(shape.Size()); err != nil {
			return fmt.Errorf("vkexec: param %q: %w", name, err)
		}
		s.bufs[name], s.shapes[name] = b, shape.Clone()
	}
	return b.Upload(values)
}

// Get reads the parameter name back to the host.
func (s *ParamStore) Get(name string) ([]float32, error) {
	b, ok := s.bufs[name]
	if !ok {
		return nil, fmt.Errorf("vkexec: no param %q", name)
	}
	out := make([]float32, s.shapes[name].Size())
	return out, b.Download(out)
}

// Buffer returns the device buffer of name, or nil.
func (s *ParamStore) Buffer(name string) *vk.Buffer { return s.bufs[name] }

// Shape returns the shape of name.
func (s *ParamStore) Shape(name string) graph.Shape { return s.shapes[name] }

// Names lists the parameters in sorted order.
func (s *ParamStore) Names() []string {
	var out []string
	for n := range s.bufs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrPackTooLarge is Pack's error when the parameters exceed one binding.
var ErrPackTooLarge = errors.New("vkexec: the parameters exceed one storage-buffer binding")

// Pack moves the named parameters into one new buffer, each at an offset
// a binding can start at (Device.ViewAlign) with zeros between them, and
// returns the buffer, each parameter's offset in floats and the buffer's
// length in floats. An optimiser then updates them all with one dispatch
// per kernel instead of one per tensor. The buffers the parameters had
// are freed (those of an earlier Pack only with Release), so programs
// compiled before Pack must be compiled again. On an error nothing moves;
// ErrPackTooLarge says the buffer would exceed maxStorageBufferRange.
func (s *ParamStore) Pack(names []string) (*vk.Buffer, []int, int, error) {
	align := int(s.dev.ViewAlign() / 4)
	offs := make([]int, len(names))
	total := 0
	for i, name := range names {
		if _, ok := s.bufs[name]; !ok {
			return nil, nil, 0, fmt.Errorf("vkexec: pack: no param %q", name)
		}
		offs[i] = total
		total += (s.shapes[name].Size() + align - 1) / align * align
	}
	if lim := s.dev.Info.Limits.MaxStorageBufferRange; uint64(total)*4 > lim {
		return nil, nil, 0, fmt.Errorf("%w: %d floats, %d bytes at most", ErrPackTooLarge, total, lim)
	}
	flat, err := s.dev.NewBufferF32(max(total, 1))
	if err != nil {
		return nil, nil, 0, err
	}
	values := make([]float32, total)
	for i, name := range names {
		v, err := s.Get(name)
		if err != nil {
			flat.Free()
			return nil, nil, 0, err
		}
		copy(values[offs[i]:], v)
	}
	if err := flat.Upload(values); err != nil {
		flat.Free()
		return nil, nil, 0, err
	}
	views := make([]*vk.Buffer, len(names))
	for i, name := range names {
		if views[i], err = flat.View(uint64(offs[i])*4, uint64(s.shapes[name].Size())*4); err != nil {
			flat.Free()
			return nil, nil, 0, err
		}
	}
	for i, name := range names {
		s.bufs[name].Free() // a no-op for a view of an earlier Pack
		s.bufs[name] = views[i]
	}
	s.packed = append(s.packed, flat)
	return flat, offs, total, nil
}

// Release frees every parameter buffer.
func (s *ParamStore) Release() {
	for _, b := range s.bufs {
		b.Free() // a no-op for packed views
	}
	for _, b := range s.packed {
		b.Free()
	}
	s.bufs, s.shapes, s.packed = map[string]*vk.Buffer{}, map[string]graph.Shape{}, nil
}
