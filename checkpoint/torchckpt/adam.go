package torchckpt

import (
	"fmt"
	"math"
	"slices"

	"github.com/sdevk/sdevk/checkpoint"
)

// AdamState is torch.optim.Adam's state of one parameter: the step count and
// the first and second moment estimates.
type AdamState struct {
	Step             int
	ExpAvg, ExpAvgSq checkpoint.Tensor
}

// decodeAdam reads optimizer.state, torch's map from a parameter's index in
// the param_groups (model.parameters() order, frozen ones included) to its
// Adam state, into c.Adam by parameter name. A checkpoint saved before the
// first step has an empty state; a parameter without a gradient (score_sde's
// frozen Fourier W) has none.
func (c *ScoreSDE) decodeAdam(top dict, budget *copyBudget) error {
	o, ok := top.get("optimizer")
	if !ok {
		return nil
	}
	opt, ok := asDict(o)
	if !ok {
		return nil // not torch's optimizer dict: Read does not otherwise need it
	}
	s, ok := opt.get("state")
	if !ok {
		return nil
	}
	state, ok := asDict(s)
	if !ok {
		return fmt.Errorf("optimizer state is a %s, not a dict", pyType(s))
	}
	params := c.Params()
	c.Adam = map[string]AdamState{}
	for _, kv := range state {
		i, ok := kv.key.(int)
		if !ok || i < 0 || i >= len(params) {
			return fmt.Errorf("optimizer state has key %v, want a parameter index 0..%d", kv.key, len(params)-1)
		}
		name := params[i].Name
		st, ok := asDict(kv.value)
		if !ok {
			return fmt.Errorf("optimizer state[%d] (%s) is a %s, not a dict", i, name, pyType(kv.value))
		}
		var a AdamState
		var err error
		if a.Step, err = adamStep(st, budget); err != nil {
			return fmt.Errorf("optimizer state[%d] (%s) %v", i, name, err)
		}
		for key, dst := range map[string]*checkpoint.Tensor{"exp_avg": &a.ExpAvg, "exp_avg_sq": &a.ExpAvgSq} {
			v, ok := st.get(key)
			if !ok {
				return fmt.Errorf("optimizer state[%d] (%s) has no %s (not Adam? keys %v)", i, name, key, st.keys())
			}
			if *dst, err = toFloat32(v, budget); err != nil {
				return fmt.Errorf("optimizer state[%d] (%s) %s %v", i, name, key, err)
			}
			if !slices.Equal(dst.Shape, params[i].Shape) {
				return fmt.Errorf("optimizer state[%d] %s has shape %v, parameter %s %v", i, key, dst.Shape, name, params[i].Shape)
			}
		}
		c.Adam[name] = a
	}
	return nil
}

// adamStep reads an Adam state's step: an int before PyTorch 1.12, a
// one-element float tensor since.
func adamStep(st dict, budget *copyBudget) (int, error) {
	v, ok := st.get("step")
	if !ok {
		return 0, fmt.Errorf("has no step")
	}
	if n, ok := v.(int); ok && n >= 0 {
		return n, nil
	}
	t, err := toFloat32(v, budget)
	if err != nil || len(t.Data) != 1 {
		return 0, fmt.Errorf("step is a %s, want an int or a one-element tensor", pyType(v))
	}
	f := float64(t.Data[0])
	if !(f >= 0) || f > math.MaxInt32 || f != math.Trunc(f) {
		return 0, fmt.Errorf("step is %v, want a whole number of steps", f)
	}
	return int(f), nil
}

// AdamMoments returns Adam's moments for the trainable parameters among
// specs (zeros for one the optimizer has no state of yet) and the largest
// step count of any state (0 when there is none).
func (c *ScoreSDE) AdamMoments(specs []Spec) (m, v map[string]checkpoint.Tensor, step int) {
	m, v = map[string]checkpoint.Tensor{}, map[string]checkpoint.Tensor{}
	for _, s := range specs {
		if s.Frozen {
			continue
		}
		a, ok := c.Adam[s.Name]
		if !ok {
			n := 1
			for _, d := range s.Shape {
				n *= d
			}
			zero := checkpoint.Tensor{Shape: slices.Clone(s.Shape), Data: make([]float32, n)}
			m[s.Name], v[s.Name] = zero, zero
			continue
		}
		m[s.Name], v[s.Name] = a.ExpAvg, a.ExpAvgSq
		step = max(step, a.Step)
	}
	return m, v, step
}
