package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
)

// ImageControl is an inpainting or colourisation run on images (score_sde's
// get_pc_inpainter and get_pc_colorizer): the N input images, PerImage
// samples of each, image-major.
type ImageControl struct {
	C, H, W int
	// Images holds the N inputs, (N, C, H, W), values in [0, 1].
	Images []float64
	// Mask, when set, inpaints (its known pixels kept); nil colourises
	// (the grey level kept).
	Mask *data.Mask
	// PerImage is the number of samples of each input (at least 1).
	PerImage int
	// Centered says the model's data are in [-1, 1] (data.centered), not
	// [0, 1].
	Centered bool
}

// Dim is the number of values of one image.
func (j ImageControl) Dim() int { return j.C * j.H * j.W }

// N is the number of input images.
func (j ImageControl) N() int { return len(j.Images) / j.Dim() }

// Samples is the number of samples of the run, N * PerImage.
func (j ImageControl) Samples() int { return j.N() * j.PerImage }

// Constraint is the run's sde.Known or sde.Grey on its Samples() points,
// in the model's range.
func (j ImageControl) Constraint() (sde.Constraint, error) {
	d := j.Dim()
	if j.PerImage < 1 || len(j.Images) == 0 || len(j.Images)%d != 0 {
		return nil, fmt.Errorf("image control: %d values for images of %d, %d samples each", len(j.Images), d, j.PerImage)
	}
	x := repeatRows(j.Images, d, j.PerImage)
	for i, v := range x {
		x[i] = j.toModel(v)
	}
	if j.Mask == nil {
		if j.C != 3 {
			return nil, fmt.Errorf("colourisation needs a 3-channel (RGB) model; this one takes %d-channel images", j.C)
		}
		return sde.GreyOf(x, d)
	}
	mask := j.Mask.Elements(j.N(), j.C)
	if j.Mask.PerImage() {
		mask = repeatRows(mask, d, j.PerImage)
	}
	return sde.Known{Mask: mask, Value: x}, nil
}

// repeatRows returns v (rows of d) with each row repeated m times.
func repeatRows[T any](v []T, d, m int) []T {
	out := make([]T, 0, len(v)*m)
	for i := 0; i+d <= len(v); i += d {
		for k := 0; k < m; k++ {
			out = append(out, v[i:i+d]...)
		}
	}
	return out
}

func (j ImageControl) toModel(v float64) float64 {
	if j.Centered {
		return 2*v - 1
	}
	return v
}

// Finish maps samples x (Samples() images in the model's range) to [0, 1]:
// clipped per value after inpainting, and towards grey, which keeps each
// pixel's grey level, after colourisation (sde.ClipChroma).
func (j ImageControl) Finish(x []float64) []float32 {
	y := make([]float64, len(x))
	for i, v := range x {
		if j.Centered {
			v = (v + 1) / 2
		}
		y[i] = v
	}
	if j.Mask == nil {
		sde.ClipChroma(y, j.H*j.W, 0, 1)
	}
	out := make([]float32, len(y))
	for i, v := range y {
		out[i] = float32(min(1, max(0, v)))
	}
	return out
}

// Conditioning is what the model was given, for a picture: the inputs with
// the generated pixels set to grey 0.5 (inpainting), or the inputs' grey
// levels in all three channels (colourisation); N images in [0, 1].
func (j ImageControl) Conditioning() []float32 {
	d, hw := j.Dim(), j.H*j.W
	out := make([]float32, len(j.Images))
	for n := 0; n < j.N(); n++ {
		img, dst := j.Images[n*d:(n+1)*d], out[n*d:(n+1)*d]
		for p := 0; p < hw; p++ {
			if j.Mask == nil {
				g := float32((img[p] + img[hw+p] + img[2*hw+p]) / 3)
				dst[p], dst[hw+p], dst[2*hw+p] = g, g, g
				continue
			}
			for c := 0; c < j.C; c++ {
				dst[c*hw+p] = 0.5
				if j.Mask.Image(n)[p] {
					dst[c*hw+p] = float32(img[c*hw+p])
				}
			}
		}
	}
	return out
}
