package vkexec

import (
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

// Release frees every parameter buffer.
func (s *ParamStore) Release() {
	for _, b := range s.bufs {
		b.Free()
	}
	s.bufs, s.shapes = map[string]*vk.Buffer{}, map[string]graph.Shape{}
}
