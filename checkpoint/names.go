package checkpoint

import (
	"fmt"
	"math"
	"slices"
)

// The tensor names of a training checkpoint, shared by the trainers that
// write it, the importers that convert others' checkpoints into it, and
// the commands that read weights out of it.
const (
	PrefixParams   = "params/" // every parameter's value
	PrefixEMA      = "ema/"    // the EMA of each trainable parameter
	PrefixAdamM    = "adam_m/" // Adam's first moments
	PrefixAdamV    = "adam_v/" // Adam's second moments
	NameOptimState = "optim/state"
)

// Param names a network parameter and its shape, for Weights.
type Param struct {
	Name  string
	Shape []int
}

// Weights returns the weights of params held by c, by name: each
// parameter's EMA when ema is set and c has one (what score_sde samples
// with), else its value. A parameter that is missing or of another shape is
// an error naming it and both shapes.
func (c *Checkpoint) Weights(params []Param, ema bool) (map[string][]float32, error) {
	out := make(map[string][]float32, len(params))
	for _, p := range params {
		t, ok := c.Tensors[PrefixEMA+p.Name]
		if !ok || !ema {
			t, ok = c.Tensors[PrefixParams+p.Name]
		}
		if !ok {
			return nil, fmt.Errorf("no tensor for parameter %s (a checkpoint of another model?)", p.Name)
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return nil, fmt.Errorf("%s has shape %v, the model wants %v", p.Name, t.Shape, p.Shape)
		}
		out[p.Name] = t.Data
	}
	return out, nil
}

// WordsTensor stores 32-bit words (the optimiser's state) bit for bit as
// a float32 tensor; Tensor.Words reads them back.
func WordsTensor(words []uint32) Tensor {
	bits := make([]float32, len(words))
	for i, w := range words {
		bits[i] = math.Float32frombits(w)
	}
	return Tensor{Shape: []int{len(bits)}, Data: bits}
}

// Words returns the 32-bit words a WordsTensor holds.
func (t Tensor) Words() []uint32 {
	words := make([]uint32, len(t.Data))
	for i, f := range t.Data {
		words[i] = math.Float32bits(f)
	}
	return words
}
