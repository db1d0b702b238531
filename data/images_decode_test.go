package data

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
)

// opaque hides an image's concrete type, forcing imagePlanes's generic path.
type opaque struct{ image.Image }

// TestImagePlanesFastPathsMatchGeneric: the direct reads of Gray, YCbCr and
// NRGBA images give what the colour-model path gives.
func TestImagePlanesFastPathsMatchGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rect := image.Rect(3, 1, 8, 5) // not at the origin
	fill := func(b []uint8) {
		for i := range b {
			b[i] = uint8(r.Uint32())
		}
	}
	gray := image.NewGray(rect)
	fill(gray.Pix)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	fill(ycc.Y)
	fill(ycc.Cb)
	fill(ycc.Cr)
	nrgba := image.NewNRGBA(rect)
	fill(nrgba.Pix)
	for _, img := range []image.Image{gray, ycc, nrgba} {
		fast, slow := imagePlanes(img), imagePlanes(opaque{img})
		for c := range fast {
			if fast[c].h != 4 || fast[c].w != 5 || !slices.Equal(fast[c].v, slow[c].v) {
				t.Fatalf("%T channel %d: direct read %v, colour model %v", img, c, fast[c].v, slow[c].v)
			}
		}
	}
}
