package torchckpt

import (
	"fmt"
	"slices"

	"github.com/sdevk/sdevk/checkpoint"
)

// Spec is one parameter of the network the weights are for: its name in
// score_sde's state dict (without "module."), its shape, and whether it is
// frozen (absent from the EMA list).
type Spec struct {
	Name   string
	Shape  []int
	Frozen bool
}

// Params returns the state dict's parameters (its entries less the buffers).
func (c *ScoreSDE) Params() []Entry {
	var ps []Entry
	for _, e := range c.State {
		if !e.Buffer {
			ps = append(ps, e)
		}
	}
	return ps
}

// Lookup returns the state dict entry called name.
func (c *ScoreSDE) Lookup(name string) (Entry, bool) {
	for _, e := range c.State {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// EMAState pairs shadow_params with the names of the trainable parameters,
// given in model.parameters() order, checking the count and that each
// shadow parameter has the shape of the state dict's parameter of that name.
func (c *ScoreSDE) EMAState(trainable []string) (map[string]checkpoint.Tensor, error) {
	if len(trainable) != len(c.EMA) {
		return nil, fmt.Errorf("ema has %d shadow parameters, the model %d trainable parameters", len(c.EMA), len(trainable))
	}
	out := make(map[string]checkpoint.Tensor, len(trainable))
	for i, name := range trainable {
		e, ok := c.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("model state has no parameter %s", name)
		}
		if !slices.Equal(e.Shape, c.EMA[i].Shape) {
			return nil, fmt.Errorf("ema shadow_params[%d] has shape %v, parameter %s %v (parameters out of order?)", i, c.EMA[i].Shape, name, e.Shape)
		}
		out[name] = c.EMA[i]
	}
	return out, nil
}

// Weights returns the raw and EMA weights of the network whose parameters
// are specs. Every parameter of the checkpoint must be one of specs with the
// same shape, and the reverse; the first that differs is named, with both
// shapes. shadow_params are paired in the state dict's order, which is
// model.parameters() order, so specs may come in any order. A frozen
// parameter's EMA is its value.
func (c *ScoreSDE) Weights(specs []Spec) (raw, ema map[string]checkpoint.Tensor, err error) {
	raw = make(map[string]checkpoint.Tensor, len(specs))
	frozen := map[string]bool{}
	for _, s := range specs {
		e, ok := c.Lookup(s.Name)
		if !ok || e.Buffer {
			return nil, nil, fmt.Errorf("the checkpoint has no parameter %s (shape %v in the config's model)", s.Name, s.Shape)
		}
		if !slices.Equal(e.Shape, s.Shape) {
			return nil, nil, fmt.Errorf("parameter %s has shape %v in the checkpoint, %v in the config's model", s.Name, e.Shape, s.Shape)
		}
		raw[s.Name] = e.Tensor
		frozen[s.Name] = s.Frozen
	}
	var trainable []string
	for _, e := range c.Params() {
		if _, ok := raw[e.Name]; !ok {
			return nil, nil, fmt.Errorf("the checkpoint's parameter %s (shape %v) is not in the config's model", e.Name, e.Shape)
		}
		if !frozen[e.Name] {
			trainable = append(trainable, e.Name)
		}
	}
	if ema, err = c.EMAState(trainable); err != nil {
		return nil, nil, err
	}
	for name, f := range frozen {
		if f {
			ema[name] = raw[name]
		}
	}
	return raw, ema, nil
}
