package scoresde

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/checkpoint/torchckpt"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/internal/atomicfile"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Options says what Import reads and writes.
type Options struct {
	// Checkpoint is score_sde's checkpoint_N.pth.
	Checkpoint string
	// Config is an sdevk TOML file or score_sde's config as JSON (.json).
	Config string
	// Out is the sdevk checkpoint to write (.safetensors). With a JSON
	// config, the equivalent TOML is written beside it (ConfigPath).
	Out string
}

// Result describes a finished import.
type Result struct {
	Step       int
	Params     int    // parameter tensors
	Values     int    // parameter values
	Trainable  int    // parameter tensors with an EMA
	ConfigPath string // the TOML written beside Out, "" for a TOML config
}

// NetworkFunc builds the score network a config describes, and gives the
// dimension of its points.
type NetworkFunc func(c *config.Config) (model.ScoreNet, int, error)

// ConfigPath is where Import writes the TOML of a JSON config for out.
func ConfigPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".toml"
}

// Import converts o.Checkpoint into an sdevk checkpoint at o.Out for the
// network that network builds from o.Config. Nothing is written on error.
func Import(o Options, network NetworkFunc) (Result, error) {
	if ConfigPath(o.Out) == o.Out {
		return Result{}, fmt.Errorf("--out %s: want a .safetensors file, not .toml", o.Out)
	}
	text, fromJSON, err := configText(o.Config)
	if err != nil {
		return Result{}, err
	}
	name := o.Config
	if fromJSON {
		name += " (as TOML)"
	}
	c, err := config.Parse(name, text, nil)
	if err != nil {
		return Result{}, err
	}
	net, _, err := network(c)
	if err != nil {
		return Result{}, fmt.Errorf("%s: model: %v", o.Config, err)
	}
	ck, err := torchckpt.Read(o.Checkpoint)
	if err != nil {
		return Result{}, err
	}
	var specs []torchckpt.Spec
	for _, p := range net.Params() {
		specs = append(specs, torchckpt.Spec{Name: p.Name, Shape: p.Shape, Frozen: p.Frozen})
	}
	raw, ema, err := ck.Weights(specs)
	if err != nil {
		return Result{}, fmt.Errorf("%s does not fit %s: %v", o.Checkpoint, o.Config, err)
	}
	out := checkpoint.New()
	res := Result{Step: ck.Step}
	for _, s := range specs {
		out.Tensors[checkpoint.PrefixParams+s.Name] = raw[s.Name]
		res.Params++
		res.Values += len(raw[s.Name].Data)
		if !s.Frozen {
			out.Tensors[checkpoint.PrefixEMA+s.Name] = ema[s.Name]
			res.Trainable++
		}
	}
	m, v, adamStep := ck.AdamMoments(specs)
	for name := range m {
		out.Tensors[checkpoint.PrefixAdamM+name], out.Tensors[checkpoint.PrefixAdamV+name] = m[name], v[name]
	}
	out.Tensors[checkpoint.NameOptimState] = optimState(max(adamStep, ck.Step), c.Optim.LR)
	out.Meta["step"] = strconv.Itoa(ck.Step)
	out.Meta["seed"] = strconv.FormatUint(c.Seed, 10)
	out.Meta["config"] = string(text)
	out.Meta["imported_from"] = "score_sde " + filepath.Base(o.Checkpoint)
	if fromJSON {
		res.ConfigPath = ConfigPath(o.Out)
		// The TOML goes beside the checkpoint; a file already there may be
		// the user's own, so it is never replaced.
		if _, err := os.Stat(res.ConfigPath); err == nil {
			return Result{}, fmt.Errorf("%s already exists: the converted config would replace it; remove it or choose another --out", res.ConfigPath)
		}
		if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
			return Result{}, err
		}
		if err := atomicfile.Write(res.ConfigPath, func(w io.Writer) error { _, err := w.Write(text); return err }); err != nil {
			return Result{}, fmt.Errorf("writing %s: %v", res.ConfigPath, err)
		}
	}
	if err := checkpoint.Save(o.Out, out); err != nil {
		if res.ConfigPath != "" {
			os.Remove(res.ConfigPath)
		}
		return Result{}, err
	}
	return res, nil
}

// optimState is the optimiser state words (vk/kernels' layout, stored bit
// for bit as float32 like sdevk's own checkpoints) of a run that has taken
// step Adam steps at base learning rate lr, so `train --resume` continues
// the warm-up and bias corrections where score_sde left them.
func optimState(step int, lr float64) checkpoint.Tensor {
	words := kernels.OptimStateInit(lr)
	words[kernels.OptStep] = uint32(step)
	return checkpoint.WordsTensor(words)
}

// configText returns the TOML of the config at path, converting score_sde's
// JSON (a .json file, or any file that starts with '{').
func configText(path string) (text []byte, fromJSON bool, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	trimmed := strings.TrimSpace(string(src))
	if strings.EqualFold(filepath.Ext(path), ".json") || strings.HasPrefix(trimmed, "{") {
		text, err := ConfigTOML(path, src)
		return text, true, err
	}
	if trimmed == "" {
		return nil, false, errors.New(path + ": empty config")
	}
	return src, false, nil
}
