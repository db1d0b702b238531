package sde

import (
	"fmt"
	"math"
)

// Colourisation (score_sde's get_pc_colorizer) decouples colour with the
// orthogonal 3x3 matrix M whose first column is the grey direction
// (1, 1, 1)/sqrt(3) (the others, (-2, 1, 1)/sqrt(6) and (0, 1, -1)/sqrt(2),
// span the chroma plane): channel 0 of a pixel times M is sqrt(3) times its
// grey level, and it is that channel that is known; the two others are
// sampled. Since M is orthogonal, replacing channel 0 of x M and mapping
// back with M^T only moves the pixel along the grey direction: every
// channel c of a pixel becomes
//
//	x_c - mean(x) + m g + s z / sqrt(3)
//
// with g the data's grey level and z the draw of channel 0's element
// (score_sde draws z for the whole decoupled batch and keeps channel 0).
// The chroma, x - mean(x), is left as it was.

// Grey is colourisation's constraint: the grey level of every pixel of
// every image, Level[n*HW + p] for image n and pixel p of HW = H*W, in the
// data's range. The images have three channels, (N, 3, H, W).
type Grey struct {
	HW    int
	Level []float64
}

// GreyOf returns the grey level (the mean of the three channels) of each
// pixel of images x, (N, 3, H, W) with d = 3*H*W values each.
func GreyOf(x []float64, d int) (Grey, error) {
	if d%3 != 0 || len(x)%d != 0 {
		return Grey{}, fmt.Errorf("colourisation needs 3-channel images; %d values per image are not three channels", d)
	}
	hw := d / 3
	g := make([]float64, len(x)/3)
	for n := 0; n < len(x)/d; n++ {
		img := x[n*d:]
		for p := 0; p < hw; p++ {
			g[n*hw+p] = (img[p] + img[hw+p] + img[2*hw+p]) / 3
		}
	}
	return Grey{HW: hw, Level: g}, nil
}

// Check says whether g fits n images of d = 3*H*W values.
func (g Grey) Check(n, d int) error {
	if d%3 != 0 || d != 3*g.HW {
		return fmt.Errorf("colourisation of %d-pixel 3-channel images, the data has %d values per image", g.HW, d)
	}
	if len(g.Level) != n*d/3 {
		return fmt.Errorf("grey levels for %d pixels, the batch has %d images of %d pixels", len(g.Level), n, d/3)
	}
	return nil
}

// Replace sets the grey level of every pixel of x to the forward-perturbed
// data m g + s z / sqrt(3), keeping its chroma; z is the element of
// channel 0 of the pixel.
func (g Grey) Replace(x []float64, m, s float64, z []float64) {
	hw := g.HW
	d := 3 * hw
	for n := 0; n < len(x)/d; n++ {
		img, zi := x[n*d:(n+1)*d], z[n*d:]
		for p := 0; p < hw; p++ {
			mean := (img[p] + img[hw+p] + img[2*hw+p]) / 3
			shift := m*g.Level[n*hw+p] + s*zi[p]/math.Sqrt(3) - mean
			img[p] += shift
			img[hw+p] += shift
			img[2*hw+p] += shift
		}
	}
}

// Batch is g for images first .. first+n-1 of d values.
func (g Grey) Batch(first, n, d int) Constraint {
	if len(g.Level) < (first+n)*g.HW {
		return g // for Check to report
	}
	return Grey{HW: g.HW, Level: g.Level[first*g.HW : (first+n)*g.HW]}
}

// ClipChroma brings every pixel of images x (three channels of hw pixels
// each) into [lo, hi] while keeping its grey level: the chroma of a pixel
// that leaves the range is scaled towards grey until it fits (a grey level
// outside the range is first clamped into it). Clipping each channel on
// its own would change the grey level that colourisation keeps.
func ClipChroma(x []float64, hw int, lo, hi float64) {
	d := 3 * hw
	for n := 0; n+d <= len(x); n += d {
		img := x[n : n+d]
		for p := 0; p < hw; p++ {
			g := min(hi, max(lo, (img[p]+img[hw+p]+img[2*hw+p])/3))
			scale := 1.0
			for c := 0; c < 3; c++ {
				switch v := img[c*hw+p] - g; {
				case g+v > hi:
					scale = min(scale, (hi-g)/v)
				case g+v < lo:
					scale = min(scale, (lo-g)/v)
				}
			}
			for c := 0; c < 3; c++ {
				img[c*hw+p] = g + scale*(img[c*hw+p]-g)
			}
		}
	}
}
