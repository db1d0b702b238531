package config

import (
	"math/rand/v2"
	"sync"

	"github.com/sdevk/sdevk/data"
)

// KindImages is the data.kind of an image data set: score_sde's
// data.dataset (a set sdevk finds without a path) or data.path (a folder of
// images, CIFAR-10 batches or IDX files, or an images .npy).
const KindImages = "images"

// imageSet is a data.dataset value sdevk reads by name, and its geometry.
type imageSet struct {
	name           string // data.LoadImageSet's name
	size, channels int
}

// imageSets are the data.dataset values sdevk finds without data.path.
var imageSets = map[string]imageSet{
	"MNIST":        {"mnist", 28, 1},
	"FashionMNIST": {"fashion-mnist", 28, 1},
	// sdevk's own: MNIST's digits tinted per image (data.ColouredMNIST),
	// the colourisation data set.
	"ColouredMNIST": {"coloured-mnist", 28, 3},
	"CIFAR10":       {"cifar10", 32, 3},
}

// IsImages reports whether [data] is an image data set.
func (c *Config) IsImages() bool { return c.Data.Kind == KindImages }

// fillImageDefaults takes image_size and num_channels from a named image set
// when the config does not give them.
func (c *Config) fillImageDefaults(set map[string]bool) {
	s, ok := imageSets[c.Data.Dataset]
	if !c.IsImages() || !ok || c.Data.Path != "" {
		return
	}
	if !set["data.image_size"] {
		c.Data.ImageSize = s.size
	}
	if !set["data.num_channels"] {
		c.Data.NumChannels = s.channels
	}
}

// validateImages checks kind = "images": a data set to read, and image_size
// and num_channels that match a named set.
func (c *Config) validateImages() *Error {
	d := c.Data
	s, named := imageSets[d.Dataset]
	switch {
	case d.Path == "" && d.Dataset == "":
		return c.errAt("data.kind", `data.kind = "images" needs data.dataset (%s) or data.path`, list(imageSetNames()))
	case d.Path == "" && !named:
		return c.errAt("data.dataset", "sdevk reads %s from a folder: set data.path", d.Dataset)
	case d.ImageSize < 1:
		return c.errAt("data.image_size", "must be >= 1, got %d", d.ImageSize)
	case d.Crop < 0:
		return c.errAt("data.crop", "must be >= 0 (0: no centre crop), got %d", d.Crop)
	case (d.Crop > 0 || d.Labels != "") && d.Path == "":
		key := "data.crop"
		if d.Crop == 0 {
			key = "data.labels"
		}
		return c.errAt(key, "applies to images read from data.path (a folder, or an images .npy for labels)")
	case d.NumChannels < 1:
		return c.errAt("data.num_channels", "must be >= 1, got %d", d.NumChannels)
	case d.Path != "" || !named:
		return nil // checked against the images when they are read
	case d.ImageSize != s.size:
		return c.errAt("data.image_size", "%s images are %dx%d, got %d", d.Dataset, s.size, s.size, d.ImageSize)
	case d.NumChannels != s.channels:
		return c.errAt("data.num_channels", "%s images have %d channel(s), got %d", d.Dataset, s.channels, d.NumChannels)
	}
	return nil
}

// ImageSetName is data.LoadImageSet's name of score_sde's data.dataset
// (mnist for MNIST, fashion-mnist for FashionMNIST), "" for a data set sdevk
// does not read by name.
func (c *Config) ImageSetName() string { return imageSets[c.Data.Dataset].name }

// imageSetNames are the data.dataset values read without a path, sorted.
func imageSetNames() []string { return []string{"CIFAR10", "ColouredMNIST", "FashionMNIST", "MNIST"} }

// Images reads split ("train" or "test") of the [data] image set and checks
// its geometry against data.image_size and data.num_channels. A named set
// that is not installed is an error giving the command that installs it.
// An images .npy has no test split: its test split is the file itself.
func (c *Config) Images(split string) (*data.Images, error) {
	if !c.IsImages() {
		return nil, c.errAt("data.kind", "%q is not an image data set", c.Data.Kind)
	}
	var im *data.Images
	var err error
	if c.Data.Path != "" {
		im, err = data.LoadImagePath(data.ImageSource{Path: c.Data.Path, Split: split, Labels: c.Data.Labels,
			Folder: data.FolderOptions{Size: c.Data.ImageSize, Crop: c.Data.Crop}})
	} else {
		im, err = data.LoadImageSet(imageSets[c.Data.Dataset].name, split, "")
	}
	if err != nil {
		return nil, err
	}
	if im.H != c.Data.ImageSize || im.W != c.Data.ImageSize {
		return nil, c.errAt("data.image_size", "is %d, but the images are %dx%d", c.Data.ImageSize, im.H, im.W)
	}
	if im.C != c.Data.NumChannels {
		return nil, c.errAt("data.num_channels", "is %d, but the images have %d channel(s)", c.Data.NumChannels, im.C)
	}
	return im, nil
}

// Pipeline is score_sde's batch pipeline over im with the [data] and
// [training] settings and the config's seed.
func (c *Config) Pipeline(im *data.Images) *data.Pipeline {
	return &data.Pipeline{Images: im, Batch: c.Training.BatchSize, Centered: c.Data.Centered,
		Dequantize: c.Data.UniformDequantization, Flip: c.Data.RandomFlip, Seed: c.Seed}
}

// imageData is an image set seen as a data.Dataset of points (an image's
// C*H*W values each). It reads the images only when Sample first needs
// them, so commands that want only the dimension (sampling a trained model)
// run without the data set installed.
type imageData struct {
	c    *Config
	once sync.Once
	im   *data.Images
	err  error
}

func (d *imageData) Name() string {
	if d.c.Data.Path != "" {
		return d.c.Data.Path
	}
	return imageSets[d.c.Data.Dataset].name
}

func (d *imageData) Dim() int {
	return d.c.Data.NumChannels * d.c.Data.ImageSize * d.c.Data.ImageSize
}

// Sample draws n training images in the model's range (score_sde's
// pipeline, without flips); nil when the set cannot be read (Config.Images
// gives the error).
func (d *imageData) Sample(n int, r *rand.Rand) []float64 {
	d.once.Do(func() { d.im, d.err = d.c.Images("train") })
	if d.err != nil || n < 1 {
		return nil
	}
	p := d.c.Pipeline(d.im)
	p.Batch, p.Flip, p.Seed = min(n, d.im.N), false, r.Uint64()
	out := make([]float64, 0, n*d.Dim())
	for step := 0; len(out) < cap(out); step++ {
		b, err := p.Make(step)
		if err != nil {
			return nil
		}
		for _, v := range b.X[:min(len(b.X), cap(out)-len(out))] {
			out = append(out, float64(v))
		}
	}
	return out
}

// ImageRange maps values of the model's range (data.centered: [-1, 1], else
// [0, 1]) to [0, 1], for image files.
func (c *Config) ImageRange(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		if c.Data.Centered {
			v = (v + 1) / 2
		}
		out[i] = float32(v)
	}
	return out
}
