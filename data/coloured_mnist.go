package data

import (
	"math"
	"math/rand/v2"
)

// ColouredMNIST is the name of the built-in coloured MNIST: MNIST's digits
// tinted, each with its own fully saturated colour, drawn per image from a
// fixed seed (so every run sees the same colours), as three-channel images.
// It gives colourisation RGB data that needs no download beyond MNIST.
const ColouredMNIST = "coloured-mnist"

// colouredMNISTSeed seeds the colours; the split picks the stream, so the
// train and test images get colours of their own.
const colouredMNISTSeed = 0x636f6c6f7572 // "colour"

// loadColouredMNIST reads split of MNIST from dir (or where FindImageSet
// finds it) and tints it.
func loadColouredMNIST(split, dir string) (*Images, error) {
	im, err := LoadImageSet("mnist", split, dir)
	if err != nil {
		return nil, err
	}
	stream := uint64(0)
	if split == "test" {
		stream = 1
	}
	return Tint(im, rand.New(rand.NewPCG(colouredMNISTSeed, stream))), nil
}

// Tint returns one-channel images im as three-channel images, image i's
// levels times a colour of random hue at full saturation and value, the
// colours drawn in image order from r. Labels and classes are kept.
func Tint(im *Images, r *rand.Rand) *Images {
	hw := im.H * im.W
	out := &Images{N: im.N, C: 3, H: im.H, W: im.W, Pixels: make([]uint8, im.N*3*hw), Labels: im.Labels, Classes: im.Classes}
	for i := 0; i < im.N; i++ {
		rgb := hueColour(r.Float64())
		src, dst := im.Image(i)[:hw], out.Image(i)
		for c, k := range rgb {
			for p, v := range src {
				dst[c*hw+p] = uint8(math.Round(float64(v) * k))
			}
		}
	}
	return out
}

// hueColour is the colour of hue h in [0, 1) at full saturation and value
// (HSV to RGB): each channel in [0, 1], one of them 1 and one 0.
func hueColour(h float64) [3]float64 {
	f := 6 * h
	ramp := func(k float64) float64 { // HSV's channel function for offset k
		x := math.Mod(k+f, 6)
		return 1 - max(0, min(x, 4-x, 1))
	}
	return [3]float64{ramp(5), ramp(3), ramp(1)}
}
