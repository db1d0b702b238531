package sampling

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
)

// Images says how the samples of an image model are pictures: each is a
// (C, H, W) image, in the training range ([-1, 1] when Centered, else
// [0, 1]).
type Images struct {
	C, H, W  int
	Centered bool
}

// ImagesOf is the image geometry of c's data when its model is an image
// model (a U-Net); false for point models.
func ImagesOf(c *config.Config) (Images, bool) {
	if !c.IsUNet() {
		return Images{}, false
	}
	return Images{C: c.Data.NumChannels, H: c.Data.ImageSize, W: c.Data.ImageSize, Centered: c.Data.Centered}, true
}

// Dim is the number of values of one image.
func (im Images) Dim() int { return im.C * im.H * im.W }

// ToUnit maps samples in the training range to [0, 1] in place: (x+1)/2
// for centered data, then clipped to [0, 1] (a sampler's last step can
// overshoot the data's range).
func (im Images) ToUnit(x []float64) {
	for i, v := range x {
		if im.Centered {
			v = (v + 1) / 2
		}
		x[i] = math.Min(math.Max(v, 0), 1)
	}
}

// Settings fingerprints everything of r that changes a sample besides its
// score, seed and index: the dimension, the SDE, the method and every
// sampler option, the inpainting mask and the class guide. Shards of one run
// share it.
func (r Request) Settings() string {
	h := sha256.New()
	fmt.Fprintf(h, "dim %d\nmethod %s\nsde %T %+v\n", r.Dim, r.Method, r.SDE, r.SDE)
	fmt.Fprintf(h, "pc %+v\node %+v\nald %+v\nfast %+v\nadapt %+v\nlangevin %+v\ninit %v\n",
		r.PC, r.ODE, r.ALD, r.Fast, r.Adapt, r.Langevin, r.InitStd)
	if r.Known != nil {
		fmt.Fprintf(h, "known %+v\n", r.Known)
	}
	if r.Score.Class != nil {
		fmt.Fprintf(h, "class %+v\n", *r.Score.Class)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Fingerprint is a content hash of the score: of a network's weights (by
// name and value), or of an oracle's mixture.
func (m ScoreModel) Fingerprint() string {
	h := sha256.New()
	if !m.IsNet() {
		fmt.Fprintf(h, "oracle %+v\n", *m.GMM)
		return "oracle:" + hex.EncodeToString(h.Sum(nil))[:16]
	}
	names := make([]string, 0, len(m.Weights))
	for name := range m.Weights {
		names = append(names, name)
	}
	sort.Strings(names)
	var buf []byte
	for _, name := range names {
		w := m.Weights[name]
		fmt.Fprintf(h, "%s %d\n", name, len(w))
		buf = buf[:0]
		for _, v := range w {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		h.Write(buf)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Shard is the sidecar of r's samples written as an array of the given
// shape, images mapped to [0, 1] by im when set.
func (r Request) Shard(shape []int, im *Images) data.Shard {
	settings := r.Settings()
	if im != nil {
		settings += fmt.Sprintf(" images %dx%dx%d centered=%v", im.C, im.H, im.W, im.Centered)
	}
	return data.Shard{Model: r.Score.Fingerprint(), Source: r.Score.Name, Seed: r.Seed, First: r.First, N: r.N,
		Shape: shape, Sampler: r.Describe(), Settings: settings}
}
