package checkpoint

import (
	"fmt"
	"sort"
	"strings"
)

// ModelFile is the file a model directory (such as pretrained/NAME/) holds:
// Resolve takes such a directory as it takes a run directory.
const ModelFile = "model.safetensors"

// Weights names the weights Export keeps.
type Weights string

// The weight sets of a training checkpoint.
const (
	WeightsEMA   Weights = "ema"   // the exponential moving average (what score_sde samples with)
	WeightsModel Weights = "model" // the raw trained weights
)

// Export returns a sampling-only copy of a training checkpoint: one set of
// weights stored as params/NAME (ema/NAME where the EMA exists, for
// WeightsEMA), the metadata (config, step, seed), and none of the optimiser
// state, a quarter of the file's size. A trainer cannot resume from it.
func Export(c *Checkpoint, w Weights) (*Checkpoint, error) {
	if w != WeightsEMA && w != WeightsModel {
		return nil, fmt.Errorf("weights %q: want ema or model", w)
	}
	out := New()
	for k, v := range c.Meta {
		out.Meta[k] = v
	}
	out.Meta["weights"] = string(w)
	var names []string
	for name := range c.Tensors {
		if p, ok := strings.CutPrefix(name, PrefixParams); ok {
			names = append(names, p)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no params/ tensors: not a checkpoint of sdevk train or import")
	}
	sort.Strings(names)
	emas := 0
	for _, name := range names {
		t := c.Tensors[PrefixParams+name]
		if e, ok := c.Tensors[PrefixEMA+name]; ok && w == WeightsEMA {
			t = e
			emas++
		}
		out.Tensors[PrefixParams+name] = t
	}
	if w == WeightsEMA && emas == 0 {
		return nil, fmt.Errorf("no ema/ tensors: the run kept no EMA (model.ema_rate = 0); export --weights model")
	}
	return out, nil
}
