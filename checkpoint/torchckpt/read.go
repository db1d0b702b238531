package torchckpt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nlpodyssey/gopickle/types"

	"github.com/sdevk/sdevk/checkpoint"
)

// dataParallelPrefix starts every key of a torch.nn.DataParallel state dict.
const dataParallelPrefix = "module."

// buffers are the names score_sde registers with register_buffer: state
// dict entries that are not parameters.
var buffers = map[string]bool{"sigmas": true}

// Entry is one entry of the model's state dict.
type Entry struct {
	// Name is score_sde's state dict name without "module.".
	Name string
	checkpoint.Tensor
	// Buffer marks a registered buffer (sigmas), not a parameter.
	Buffer bool
}

// ScoreSDE is the content of a score_sde checkpoint.
type ScoreSDE struct {
	// State is the model's state dict, in its order: the parameters in
	// model.parameters() order, with the buffers where torch put them.
	State []Entry
	// EMA is ema.shadow_params: the trainable parameters in order.
	EMA      []checkpoint.Tensor
	EMADecay float64
	Step     int
	// Adam is the optimizer's state by parameter name: empty before the
	// first step, and for frozen parameters.
	Adam map[string]AdamState
}

// Read decodes the score_sde checkpoint at path. Errors are one line,
// prefixed with the path.
func Read(path string) (*ScoreSDE, error) {
	c, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return c, nil
}

func read(path string) (*ScoreSDE, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readFrom(f, st.Size())
}

// readFrom decodes a checkpoint held by r.
func readFrom(r io.ReaderAt, size int64) (*ScoreSDE, error) {
	obj, err := load(r, size)
	if err != nil {
		return nil, errors.New(firstLine(err))
	}
	return decode(obj)
}

// decode checks the decoded object against score_sde's layout.
func decode(obj any) (*ScoreSDE, error) {
	top, ok := asDict(obj)
	if !ok {
		return nil, fmt.Errorf("holds a %s, not score_sde's dict {optimizer, model, ema, step}", pyType(obj))
	}
	for _, k := range []string{"model", "ema", "step"} {
		if _, ok := top.get(k); !ok {
			return nil, fmt.Errorf("has no %q entry (not a score_sde checkpoint; keys %s)", k, strings.Join(top.keys(), ", "))
		}
	}
	c := &ScoreSDE{}
	step, _ := top.get("step")
	if c.Step, ok = step.(int); !ok || c.Step < 0 {
		return nil, fmt.Errorf("step is a %s, want a non-negative int", pyType(step))
	}
	budget := &copyBudget{}
	if err := c.decodeModel(top, budget); err != nil {
		return nil, err
	}
	if err := c.decodeEMA(top, budget); err != nil {
		return nil, err
	}
	if n, ok := optimizerParams(top); ok && n != len(c.Params()) {
		return nil, fmt.Errorf("model has %d parameters besides its buffers, the optimizer %d (a buffer other than sigmas?)", len(c.Params()), n)
	}
	if err := c.decodeAdam(top, budget); err != nil {
		return nil, err
	}
	return c, nil
}

// optimizerParams counts the parameters the optimizer's param_groups list:
// all of model.parameters(), frozen ones included, so the model's entries
// less its buffers. ok is false when the optimizer state is not the usual
// torch one, which Read does not otherwise need.
func optimizerParams(top dict) (n int, ok bool) {
	o, _ := top.get("optimizer")
	opt, ok := asDict(o)
	if !ok {
		return 0, false
	}
	g, _ := opt.get("param_groups")
	groups, ok := g.(*types.List)
	if !ok || groups == nil {
		return 0, false
	}
	for _, gv := range *groups {
		group, ok := asDict(gv)
		if !ok {
			return 0, false
		}
		p, _ := group.get("params")
		params, ok := p.(*types.List)
		if !ok || params == nil {
			return 0, false
		}
		n += len(*params)
	}
	return n, true
}

func (c *ScoreSDE) decodeModel(top dict, budget *copyBudget) error {
	m, _ := top.get("model")
	state, ok := asDict(m)
	if !ok {
		return fmt.Errorf("model is a %s, not a state dict", pyType(m))
	}
	seen := map[string]bool{}
	for _, kv := range state {
		key, ok := kv.key.(string)
		if !ok {
			return fmt.Errorf("model has a key of type %s", pyType(kv.key))
		}
		name := strings.TrimPrefix(key, dataParallelPrefix)
		if name == key {
			return fmt.Errorf("model key %q lacks the %q prefix of score_sde's DataParallel model", key, dataParallelPrefix)
		}
		if seen[name] {
			return fmt.Errorf("model key %q appears twice", key)
		}
		seen[name] = true
		t, err := toFloat32(kv.value, budget)
		if err != nil {
			return fmt.Errorf("model %s %v", key, err)
		}
		c.State = append(c.State, Entry{Name: name, Tensor: t, Buffer: buffers[name]})
	}
	if len(c.State) == 0 {
		return fmt.Errorf("model state dict is empty")
	}
	return nil
}

func (c *ScoreSDE) decodeEMA(top dict, budget *copyBudget) error {
	e, _ := top.get("ema")
	ema, ok := asDict(e)
	if !ok {
		return fmt.Errorf("ema is a %s, not a dict {decay, num_updates, shadow_params}", pyType(e))
	}
	sp, ok := ema.get("shadow_params")
	if !ok {
		return fmt.Errorf("ema has no shadow_params (keys %s)", strings.Join(ema.keys(), ", "))
	}
	list, ok := sp.(*types.List)
	if !ok || list == nil {
		return fmt.Errorf("ema shadow_params is a %s, not a list", pyType(sp))
	}
	for i, v := range *list {
		t, err := toFloat32(v, budget)
		if err != nil {
			return fmt.Errorf("ema shadow_params[%d] %v", i, err)
		}
		c.EMA = append(c.EMA, t)
	}
	if d, ok := ema.get("decay"); ok {
		c.EMADecay, _ = d.(float64)
	}
	return nil
}

// firstLine keeps error messages on one line.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
