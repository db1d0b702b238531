package train

import (
	"fmt"
	"strconv"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// The checkpoint's tensor names (checkpoint.PrefixParams and the rest).
const (
	prefixParam = checkpoint.PrefixParams
	prefixEMA   = checkpoint.PrefixEMA
	prefixM     = checkpoint.PrefixAdamM
	prefixV     = checkpoint.PrefixAdamV
	nameOptim   = checkpoint.NameOptimState // the optimiser's state words, bit for bit
)

func read(b *vk.Buffer, n int) ([]float32, error) {
	out := make([]float32, n)
	return out, b.Download(out)
}

// Checkpoint captures everything needed to continue training bit for bit.
func (t *Trainer) Checkpoint(meta map[string]string) (*checkpoint.Checkpoint, error) {
	c := checkpoint.New()
	for k, v := range meta {
		c.Meta[k] = v
	}
	c.Meta["step"] = strconv.Itoa(t.Step)
	c.Meta["seed"] = strconv.FormatUint(t.cfg.Seed, 10)
	for _, name := range t.Exec.Params.Names() {
		v, err := t.Exec.Params.Get(name)
		if err != nil {
			return nil, err
		}
		c.Tensors[prefixParam+name] = checkpoint.Tensor{Shape: t.Exec.Params.Shape(name), Data: v}
	}
	for i, p := range t.params {
		n := p.Shape().Size()
		for prefix, b := range map[string]*vk.Buffer{prefixM: t.m[i], prefixV: t.v[i], prefixEMA: t.ema[p.Name()]} {
			if b == nil {
				continue
			}
			v, err := read(b, n)
			if err != nil {
				return nil, err
			}
			c.Tensors[prefix+p.Name()] = checkpoint.Tensor{Shape: p.Shape(), Data: v}
		}
	}
	words := make([]uint32, kernels.OptimStateLen)
	if err := t.opt.DownloadU32(words); err != nil {
		return nil, err
	}
	c.Tensors[nameOptim] = checkpoint.WordsTensor(words)
	return c, nil
}

// Restore loads a checkpoint made by Checkpoint for the same model.
func (t *Trainer) Restore(c *checkpoint.Checkpoint) error {
	step, err := strconv.Atoi(c.Meta["step"])
	if err != nil {
		return fmt.Errorf("train: checkpoint has no valid step (%q)", c.Meta["step"])
	}
	get := func(name string, shape []int) ([]float32, error) {
		tn, ok := c.Tensors[name]
		if !ok {
			return nil, fmt.Errorf("train: checkpoint lacks %s", name)
		}
		if fmt.Sprint(tn.Shape) != fmt.Sprint(shape) {
			return nil, fmt.Errorf("train: checkpoint's %s has shape %v, the model's is %v (another model?)", name, tn.Shape, shape)
		}
		return tn.Data, nil
	}
	for _, name := range t.Exec.Params.Names() {
		v, err := get(prefixParam+name, t.Exec.Params.Shape(name))
		if err != nil {
			return err
		}
		if err := t.Exec.Params.Set(name, t.Exec.Params.Shape(name), v); err != nil {
			return err
		}
	}
	for i, p := range t.params {
		for prefix, b := range map[string]*vk.Buffer{prefixM: t.m[i], prefixV: t.v[i], prefixEMA: t.ema[p.Name()]} {
			if b == nil {
				continue
			}
			v, err := get(prefix+p.Name(), p.Shape())
			if err != nil {
				return err
			}
			if err := b.Upload(v); err != nil {
				return err
			}
		}
	}
	bits, err := get(nameOptim, []int{kernels.OptimStateLen})
	if err != nil {
		return err
	}
	if err := t.opt.UploadU32(checkpoint.Tensor{Data: bits}.Words()); err != nil {
		return err
	}
	t.Step = step
	return nil
}

// EMAParams returns the EMA of the trainable parameters and the current
// value of the others (the weights to sample with), by name.
func (t *Trainer) EMAParams() (map[string][]float32, error) {
	out := map[string][]float32{}
	for _, name := range t.Exec.Params.Names() {
		v, err := t.Exec.Params.Get(name)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	for _, p := range t.params {
		if b := t.ema[p.Name()]; b != nil {
			v, err := read(b, p.Shape().Size())
			if err != nil {
				return nil, err
			}
			out[p.Name()] = v
		}
	}
	return out, nil
}
