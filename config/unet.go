package config

import (
	"errors"
	"strings"

	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// score_sde's names of the SDEs (training.sde) and ours (sde.kind).
var scoreSDEKinds = map[string]string{"vesde": "ve", "vpsde": "vp", "subvpsde": "subvp"}

// Datasets are the accepted data.dataset values (score_sde's).
var Datasets = []string{"CIFAR10", "SVHN", "CELEBA", "LSUN", "FFHQ", "CelebAHQ", "MNIST", "FashionMNIST", "ColouredMNIST"}

// applyScoreSDEKeys moves the keys score_sde keeps elsewhere onto ours:
// training.sde onto sde.kind and model.sigma_min ... num_scales onto [sde].
// A value given both ways must agree.
func (c *Config) applyScoreSDEKeys(set map[string]bool) *Error {
	if set["training.sde"] {
		kind, ok := scoreSDEKinds[strings.ToLower(c.Training.SDE)]
		if !ok {
			return c.errAt("training.sde", "unknown SDE %q (want vesde | vpsde | subvpsde)", c.Training.SDE)
		}
		if set["sde.kind"] && c.SDE.Kind != kind {
			return c.errAt("training.sde", "%q disagrees with sde.kind = %q", c.Training.SDE, c.SDE.Kind)
		}
		c.SDE.Kind = kind
		set["sde.kind"] = true
	}
	floats := []struct {
		key      string
		from, to *float64
	}{
		{"sigma_min", &c.Model.SigmaMin, &c.SDE.SigmaMin}, {"sigma_max", &c.Model.SigmaMax, &c.SDE.SigmaMax},
		{"beta_min", &c.Model.BetaMin, &c.SDE.BetaMin}, {"beta_max", &c.Model.BetaMax, &c.SDE.BetaMax},
	}
	for _, f := range floats {
		if !set["model."+f.key] {
			continue
		}
		if set["sde."+f.key] && *f.to != *f.from {
			return c.errAt("model."+f.key, "%g disagrees with sde.%s = %g", *f.from, f.key, *f.to)
		}
		*f.to = *f.from
		set["sde."+f.key] = true
	}
	if set["model.num_scales"] {
		if set["sde.num_scales"] && c.SDE.NumScales != c.Model.NumScales {
			return c.errAt("model.num_scales", "%d disagrees with sde.num_scales = %d", c.Model.NumScales, c.SDE.NumScales)
		}
		c.SDE.NumScales = c.Model.NumScales
		set["sde.num_scales"] = true
	}
	// score_sde writes optimizer = 'Adam'.
	c.Optim.Optimizer = strings.ToLower(c.Optim.Optimizer)
	return nil
}

// IsUNet reports whether [model] is one of score_sde's U-Nets.
func (c *Config) IsUNet() bool { return model.IsUNet(strings.ToLower(c.Model.Name)) }

// UNetConfig is the U-Net of [model] and the image geometry of [data].
func (c *Config) UNetConfig() model.UNetConfig {
	m, d := c.Model, c.Data
	return model.UNetConfig{
		Name: strings.ToLower(m.Name), NF: m.NF, ChMult: m.ChMult, NumResBlocks: m.NumResBlocks,
		AttnResolutions: m.AttnResolutions, Dropout: m.Dropout, ResampWithConv: m.ResampWithConv,
		Conditional: m.Conditional, FIR: m.FIR, FIRKernel: m.FIRKernel, SkipRescale: m.SkipRescale,
		ResblockType: m.ResblockType, Progressive: m.Progressive, ProgressiveInput: m.ProgressiveInput,
		ProgressiveCombine: m.ProgressiveCombine, EmbeddingType: m.EmbeddingType, FourierScale: m.FourierScale,
		InitScale: m.InitScale, ConvSize: m.ConvSize, Nonlinearity: m.Nonlinearity, ScaleBySigma: m.ScaleBySigma,
		ImageSize: d.ImageSize, NumChannels: d.NumChannels, Centered: d.Centered,
	}
}

// NewUNet builds the [model] U-Net for s.
func (c *Config) NewUNet(s sde.SDE) (*model.UNet, error) { return model.NewUNet(s, c.UNetConfig()) }

// validateUNet checks the U-Net keys of [model] and [data].
func (c *Config) validateUNet() *Error {
	m := c.Model
	switch {
	case !strings.EqualFold(m.Normalization, "GroupNorm"):
		return c.errAt("model.normalization", "score_sde's U-Nets use GroupNorm, got %q", m.Normalization)
	case !strings.EqualFold(m.AttentionType, "ddpm"):
		return c.errAt("model.attention_type", "score_sde's U-Nets use ddpm attention, got %q", m.AttentionType)
	case !c.Training.Continuous:
		// score_sde's discrete labels (t (N-1), integer noise levels) are
		// another score function; sdevk builds the continuous one.
		return c.errAt("training.continuous", "sdevk runs score_sde's U-Nets with continuous time labels: want true")
	}
	err := c.UNetConfig().Check()
	var ke *model.ConfigError
	if errors.As(err, &ke) {
		return c.errAt(ke.Key, "%s", ke.Msg)
	}
	if err != nil {
		return c.errAt("model.name", "%v", err)
	}
	return nil
}
