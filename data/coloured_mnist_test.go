package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHueColour(t *testing.T) {
	for h, want := range map[float64][3]float64{0: {1, 0, 0}, 1.0 / 3: {0, 1, 0}, 2.0 / 3: {0, 0, 1}, 1.0 / 6: {1, 1, 0}, 0.5: {0, 1, 1}, 1.0 / 12: {1, 0.5, 0}} {
		got := hueColour(h)
		for c := range got {
			if math.Abs(got[c]-want[c]) > 1e-12 {
				t.Errorf("hue %g: %v, want %v", h, got, want)
			}
		}
	}
}

// TestTint: each image becomes its levels times one colour, the colours
// differ between images and follow the generator.
func TestTint(t *testing.T) {
	im := &Images{N: 3, C: 1, H: 1, W: 2, Pixels: []uint8{255, 100, 0, 255, 255, 255}, Labels: []int{4, 5, 6}}
	out := Tint(im, rand.New(rand.NewPCG(1, 2)))
	if out.N != 3 || out.C != 3 || out.Dim() != 6 || out.Labels[2] != 6 {
		t.Fatalf("tinted shape (%d, %d, %d, %d), labels %v", out.N, out.C, out.H, out.W, out.Labels)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3; i++ {
		rgb := hueColour(r.Float64())
		for c := 0; c < 3; c++ {
			for p := 0; p < 2; p++ {
				want := uint8(math.Round(float64(im.Image(i)[p]) * rgb[c]))
				if got := out.Image(i)[c*2+p]; got != want {
					t.Errorf("image %d channel %d pixel %d: %d, want %d", i, c, p, got, want)
				}
			}
		}
	}
	if string(out.Image(1)[:]) == string(out.Image(2)[:]) {
		t.Error("two images got the same colour")
	}
}

// TestColouredMNIST: the named set is MNIST in colour, the same on every
// load (skipped where MNIST is not installed).
func TestColouredMNIST(t *testing.T) {
	if _, err := FindImageSet("mnist"); err != nil {
		t.Skip(err)
	}
	a, err := LoadImageSet(ColouredMNIST, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadImageSet(ColouredMNIST, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	grey, err := LoadImageSet("mnist", "test", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.N != grey.N || a.C != 3 || a.H != 28 || len(a.Labels) != a.N || string(a.Pixels) != string(b.Pixels) {
		t.Fatalf("coloured MNIST test: (%d, %d, %d, %d), the same on reload %v", a.N, a.C, a.H, a.W, string(a.Pixels) == string(b.Pixels))
	}
	// Where the digit is white, the colour has a full channel.
	for i := 0; i < 20; i++ {
		hw := 28 * 28
		for p, v := range grey.Image(i) {
			if v == 255 {
				px := []uint8{a.Image(i)[p], a.Image(i)[hw+p], a.Image(i)[2*hw+p]}
				if max(px[0], px[1], px[2]) != 255 {
					t.Fatalf("image %d pixel %d: white digit pixel tinted %v", i, p, px)
				}
			}
		}
	}
}
