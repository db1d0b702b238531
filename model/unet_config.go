package model

import (
	"fmt"
	"slices"
	"strings"
)

// U-Net architectures (score_sde's model.name).
const (
	UNetDDPM   = "ddpm"   // Ho et al.'s U-Net, score_sde models/ddpm.py
	UNetNCSNpp = "ncsnpp" // NCSN++ and DDPM++, score_sde models/ncsnpp.py
)

// UNetConfig configures a U-Net with score_sde's own keys ([model] and the
// image geometry of [data]); the comments name the key. Zero values are
// not defaults: NewUNet checks every field, and DefaultUNetConfig gives
// score_sde's CIFAR-10 DDPM++ values.
type UNetConfig struct {
	Name               string    // model.name: ddpm | ncsnpp
	NF                 int       // model.nf: channels at full resolution
	ChMult             []int     // model.ch_mult: channel multiplier per resolution
	NumResBlocks       int       // model.num_res_blocks per resolution
	AttnResolutions    []int     // model.attn_resolutions: image sizes with self-attention
	Dropout            float64   // model.dropout (training only)
	ResampWithConv     bool      // model.resamp_with_conv
	Conditional        bool      // model.conditional: the blocks see the time embedding
	FIR                bool      // model.fir: FIR up / down-sampling (ncsnpp)
	FIRKernel          []float64 // model.fir_kernel
	SkipRescale        bool      // model.skip_rescale: residual sums divided by sqrt 2 (ncsnpp)
	ResblockType       string    // model.resblock_type: ddpm | biggan (ncsnpp)
	Progressive        string    // model.progressive: none | output_skip | residual (ncsnpp)
	ProgressiveInput   string    // model.progressive_input: none | input_skip | residual (ncsnpp)
	ProgressiveCombine string    // model.progressive_combine: sum | cat (ncsnpp)
	EmbeddingType      string    // model.embedding_type: fourier | positional (ncsnpp; ddpm is positional)
	FourierScale       float64   // model.fourier_scale
	InitScale          float64   // model.init_scale: scale of the last layers' initial weights (ncsnpp)
	ConvSize           int       // model.conv_size: 3, the only size score_sde builds
	Nonlinearity       string    // model.nonlinearity: swish | elu | relu
	ScaleBySigma       bool      // model.scale_by_sigma: divide the output by the noise level (VE)
	ImageSize          int       // data.image_size
	NumChannels        int       // data.num_channels
	Centered           bool      // data.centered: inputs in [-1, 1]; else [0, 1], mapped by 2x - 1
}

// DefaultUNetConfig returns score_sde's CIFAR-10 DDPM++ (continuous VP)
// model, configs/vp/cifar10_ddpmpp_continuous.py.
func DefaultUNetConfig() UNetConfig {
	return UNetConfig{
		Name: UNetNCSNpp, NF: 128, ChMult: []int{1, 2, 2, 2}, NumResBlocks: 4, AttnResolutions: []int{16},
		Dropout: 0.1, ResampWithConv: true, Conditional: true, FIR: false, FIRKernel: []float64{1, 3, 3, 1},
		SkipRescale: true, ResblockType: "biggan", Progressive: "none", ProgressiveInput: "none",
		ProgressiveCombine: "sum", EmbeddingType: "positional", FourierScale: 16, InitScale: 0,
		ConvSize: 3, Nonlinearity: "swish", ImageSize: 32, NumChannels: 3, Centered: false,
	}
}

// IsUNet reports whether name is a U-Net architecture of this package.
func IsUNet(name string) bool { return name == UNetDDPM || name == UNetNCSNpp }

// normalise lower-cases the option strings as score_sde does.
func (c *UNetConfig) normalise() {
	for _, s := range []*string{&c.Name, &c.ResblockType, &c.Progressive, &c.ProgressiveInput,
		&c.ProgressiveCombine, &c.EmbeddingType, &c.Nonlinearity} {
		*s = strings.ToLower(strings.TrimSpace(*s))
	}
}

// ConfigError is an invalid U-Net setting, named by its score_sde key
// ("model.nf", "data.image_size"), so that the config file can point at
// its line.
type ConfigError struct{ Key, Msg string }

func (e *ConfigError) Error() string { return e.Key + ": " + e.Msg }

// Check returns the first invalid field as a *ConfigError, including a
// GroupNorm whose channels do not split into its groups.
func (c UNetConfig) Check() error {
	c.normalise()
	if err := c.checkFields(); err != nil {
		return err
	}
	return checkGroups(declare(c), c)
}

func (c UNetConfig) checkFields() error {
	bad := func(key, format string, a ...any) error {
		return &ConfigError{Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	one := func(key, v string, opts ...string) error {
		if slices.Contains(opts, v) {
			return nil
		}
		return bad(key, "unknown value %q (want %s)", v, strings.Join(opts, " | "))
	}
	for _, e := range []error{
		one("model.name", c.Name, UNetDDPM, UNetNCSNpp),
		one("model.nonlinearity", c.Nonlinearity, "swish", "elu", "relu"),
	} {
		if e != nil {
			return e
		}
	}
	switch {
	case c.NF < 1:
		return bad("model.nf", "must be >= 1, got %d", c.NF)
	case len(c.ChMult) == 0:
		return bad("model.ch_mult", "needs at least one resolution")
	case c.NumResBlocks < 1:
		return bad("model.num_res_blocks", "must be >= 1, got %d", c.NumResBlocks)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return bad("model.dropout", "must be in [0, 1), got %g", c.Dropout)
	case c.ConvSize != 3:
		return bad("model.conv_size", "score_sde's U-Nets use 3x3 convolutions, got %d", c.ConvSize)
	case c.NumChannels < 1:
		return bad("data.num_channels", "must be >= 1, got %d", c.NumChannels)
	case c.ImageSize < 1 || c.ImageSize%(1<<(len(c.ChMult)-1)) != 0:
		return bad("data.image_size", "%d must be divisible by 2^%d (one halving per extra ch_mult entry)", c.ImageSize, len(c.ChMult)-1)
	}
	for _, m := range c.ChMult {
		if m < 1 {
			return bad("model.ch_mult", "multipliers must be >= 1, got %v", c.ChMult)
		}
	}
	if c.Name == UNetDDPM {
		if c.ScaleBySigma {
			// score_sde indexes its discrete sigmas by the label, which a
			// continuous time is not.
			return bad("model.scale_by_sigma", "the ddpm model cannot scale by sigma with continuous time labels")
		}
		if c.NF < 4 || c.NF%2 != 0 {
			return bad("model.nf", "the ddpm model's positional embedding needs an even nf >= 4, got %d", c.NF)
		}
		return nil
	}
	for _, e := range []error{
		one("model.resblock_type", c.ResblockType, "ddpm", "biggan"),
		one("model.progressive", c.Progressive, "none", "output_skip", "residual"),
		one("model.progressive_input", c.ProgressiveInput, "none", "input_skip", "residual"),
		one("model.progressive_combine", c.ProgressiveCombine, "sum", "cat"),
		one("model.embedding_type", c.EmbeddingType, "fourier", "positional"),
	} {
		if e != nil {
			return e
		}
	}
	switch {
	case c.EmbeddingType == "fourier" && !(c.FourierScale > 0):
		return bad("model.fourier_scale", "must be > 0, got %g", c.FourierScale)
	case c.EmbeddingType == "positional" && (c.NF < 4 || c.NF%2 != 0):
		return bad("model.nf", "the positional embedding needs an even nf >= 4, got %d", c.NF)
	case c.EmbeddingType == "positional" && c.ScaleBySigma:
		return bad("model.scale_by_sigma", "needs embedding_type fourier (the positional embedding's label is not a noise level)")
	case c.FIR && (len(c.FIRKernel) < 1):
		return bad("model.fir_kernel", "needs at least one tap")
	case c.InitScale < 0:
		return bad("model.init_scale", "must be >= 0, got %g", c.InitScale)
	}
	return nil
}

// groups is the GroupNorm group count for ch channels: 32 in DDPM, min(ch/4,
// 32) in NCSN++.
func (c UNetConfig) groups(ch int) int {
	if c.Name == UNetDDPM {
		return 32
	}
	return min(ch/4, 32)
}

// resolutions lists the image size at each level.
func (c UNetConfig) resolutions() []int {
	r := make([]int, len(c.ChMult))
	for i := range r {
		r[i] = c.ImageSize >> i
	}
	return r
}

func (c UNetConfig) attnAt(res int) bool { return slices.Contains(c.AttnResolutions, res) }
