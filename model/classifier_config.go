package model

import (
	"fmt"
	"strings"
)

// ClassifierConfig sizes a Classifier. The JSON names are the keys a
// checkpoint's "classifier" metadata stores (see quality.LoadClassifier),
// and the same words as the U-Net's config keys where they mean the same.
type ClassifierConfig struct {
	NF           int   `json:"nf"`             // channels at full resolution
	ChMult       []int `json:"ch_mult"`        // channel multiplier per resolution; each extra entry halves the image
	NumResBlocks int   `json:"num_res_blocks"` // residual blocks per resolution
	NumClasses   int   `json:"num_classes"`
	ImageSize    int   `json:"image_size"`
	NumChannels  int   `json:"num_channels"`
	// Centered says the inputs are in [-1, 1]; else they are in [0, 1]
	// and mapped to [-1, 1] first, as the U-Nets do.
	Centered bool `json:"centered"`
	// Conditional adds a time embedding of t to every residual block: the
	// noise-conditional classifier of classifier guidance, trained on
	// perturbed data x_t.
	Conditional bool `json:"conditional"`

	// PointDim > 0 makes a point classifier instead: an MLP over
	// (x, time embedding) for PointDim-dimensional data, built of the MLP
	// score network's layers (Hidden wide, Layers deep, Act between them,
	// EmbedDim sinusoids of t). The image fields above are unused then.
	PointDim int    `json:"point_dim,omitempty"`
	Hidden   int    `json:"hidden,omitempty"`
	Layers   int    `json:"layers,omitempty"`
	EmbedDim int    `json:"embedding_dim,omitempty"`
	Act      string `json:"activation,omitempty"`
}

// DefaultClassifierConfig is a small MNIST-sized encoder: 28x28x1 images,
// 16-32-64 channels (64-D features), one block per resolution, ten
// classes; about 18 MFLOP per image forward.
func DefaultClassifierConfig() ClassifierConfig {
	return ClassifierConfig{NF: 16, ChMult: []int{1, 2, 4}, NumResBlocks: 1, NumClasses: 10,
		ImageSize: 28, NumChannels: 1}
}

// classifierGroups is the GroupNorm group count for ch channels, NCSN++'s
// min(ch/4, 32).
func classifierGroups(ch int) int { return max(1, min(ch/4, 32)) }

// Check returns the first invalid field as a *ConfigError named by its
// JSON key.
func (c ClassifierConfig) Check() error {
	bad := func(key, format string, a ...any) error {
		return &ConfigError{Key: "classifier." + key, Msg: fmt.Sprintf(format, a...)}
	}
	if c.PointDim > 0 {
		return c.checkPoints(bad)
	}
	switch {
	case c.NF < 4 || c.NF%2 != 0:
		return bad("nf", "must be even and >= 4 (the time embedding's width), got %d", c.NF)
	case len(c.ChMult) == 0:
		return bad("ch_mult", "needs at least one resolution")
	case c.NumResBlocks < 1:
		return bad("num_res_blocks", "must be >= 1, got %d", c.NumResBlocks)
	case c.NumClasses < 2:
		return bad("num_classes", "must be >= 2, got %d", c.NumClasses)
	case c.NumChannels < 1:
		return bad("num_channels", "must be >= 1, got %d", c.NumChannels)
	case c.ImageSize < 1 || c.ImageSize%(1<<(len(c.ChMult)-1)) != 0:
		return bad("image_size", "%d must be divisible by 2^%d (one halving per extra ch_mult entry)", c.ImageSize, len(c.ChMult)-1)
	}
	for _, m := range c.ChMult {
		if m < 1 {
			return bad("ch_mult", "multipliers must be >= 1, got %v", c.ChMult)
		}
		if ch := c.NF * m; ch%classifierGroups(ch) != 0 {
			return bad("nf", "%d channels (nf %d, ch_mult %v) do not split into %d GroupNorm groups", ch, c.NF, c.ChMult, classifierGroups(ch))
		}
	}
	return nil
}

// Input names what the classifier classifies: "2-D points" or "1x28x28
// images".
func (c ClassifierConfig) Input() string {
	if c.PointDim > 0 {
		return fmt.Sprintf("%d-D points", c.PointDim)
	}
	return fmt.Sprintf("%dx%dx%d images", c.NumChannels, c.ImageSize, c.ImageSize)
}

// String is a one-line description, e.g. "classifier nf 32 ch_mult [1 2 2]
// x1 blocks, 10 classes, 1x28x28".
func (c ClassifierConfig) String() string {
	var b strings.Builder
	if c.Conditional {
		b.WriteString("noise-conditional ")
	}
	if c.PointDim > 0 {
		fmt.Fprintf(&b, "point classifier MLP %d x%d %s, %d classes, %s", c.Hidden, c.Layers, c.Act, c.NumClasses, c.Input())
		return b.String()
	}
	fmt.Fprintf(&b, "classifier nf %d ch_mult %v x%d blocks, %d classes, %dx%dx%d", c.NF, c.ChMult, c.NumResBlocks,
		c.NumClasses, c.NumChannels, c.ImageSize, c.ImageSize)
	return b.String()
}
