package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// ImageShape is the (C, H, W) of one image in a batch laid out (N, C, H, W).
type ImageShape struct{ C, H, W int }

// Dim is the number of values in one image.
func (s ImageShape) Dim() int { return s.C * s.H * s.W }

// Check says what is wrong with a batch of n images of shape s held in x.
func (s ImageShape) Check(x []float32, n int) error {
	switch {
	case s.C != 1 && s.C != 3:
		return fmt.Errorf("image grid: %d channels, want 1 (grey) or 3 (RGB)", s.C)
	case s.H < 1 || s.W < 1:
		return fmt.Errorf("image grid: image size %dx%d", s.H, s.W)
	case n < 1:
		return fmt.Errorf("image grid: no images")
	case len(x) != n*s.Dim():
		return fmt.Errorf("image grid: %d values for %d images of %dx%dx%d", len(x), n, s.C, s.H, s.W)
	}
	return nil
}

// GridPad is the gap in pixels between grid cells (and around the border).
const GridPad = 2

// Grid draws n images of shape s, values in [0, 1] laid out (N, C, H, W)
// (values outside are clamped, NaN shows as magenta so it cannot pass for
// data), into rows of cols images (cols <= 0: a near-square grid), each
// image scaled by an integer zoom (at least 1).
func Grid(x []float32, n int, s ImageShape, cols, zoom int) (*image.NRGBA, error) {
	if err := s.Check(x, n); err != nil {
		return nil, err
	}
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	cols = min(cols, n)
	zoom = max(zoom, 1)
	rows := (n + cols - 1) / cols
	cw, ch := s.W*zoom+GridPad, s.H*zoom+GridPad
	img := image.NewNRGBA(image.Rect(0, 0, cols*cw+GridPad, rows*ch+GridPad))
	bg := color.NRGBA{40, 40, 40, 255}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bg.R, bg.G, bg.B, bg.A
	}
	plane := s.H * s.W
	for k := 0; k < n; k++ {
		im := x[k*s.Dim() : (k+1)*s.Dim()]
		x0, y0 := GridPad+(k%cols)*cw, GridPad+(k/cols)*ch
		for y := 0; y < s.H; y++ {
			for xx := 0; xx < s.W; xx++ {
				var c color.NRGBA
				if s.C == 1 {
					v := im[y*s.W+xx]
					l := level(v)
					c = color.NRGBA{l, l, l, 255}
				} else {
					r, g, b := im[y*s.W+xx], im[plane+y*s.W+xx], im[2*plane+y*s.W+xx]
					c = color.NRGBA{level(r), level(g), level(b), 255}
				}
				if isNaN32(im[y*s.W+xx]) {
					c = color.NRGBA{255, 0, 255, 255}
				}
				for dy := 0; dy < zoom; dy++ {
					for dx := 0; dx < zoom; dx++ {
						img.SetNRGBA(x0+xx*zoom+dx, y0+y*zoom+dy, c)
					}
				}
			}
		}
	}
	return img, nil
}

// level maps a value in [0, 1] to an 8-bit level, clamping, as
// torchvision's save_image does (round(255 v)).
func level(v float32) uint8 {
	if !(v > 0) { // NaN and negatives
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(math.Round(float64(v) * 255))
}

func isNaN32(v float32) bool { return v != v }

// SaveGrid writes Grid(x, n, s, cols, zoom) to a PNG at path atomically.
func SaveGrid(path string, x []float32, n int, s ImageShape, cols, zoom int) error {
	img, err := Grid(x, n, s, cols, zoom)
	if err != nil {
		return err
	}
	return SavePNG(path, img)
}

// SaveImage writes one image of shape s (values in [0, 1]) to a PNG at path
// at its own size, with no border: the form FID tools read from a folder.
func SaveImage(path string, x []float32, s ImageShape) error {
	if err := s.Check(x, 1); err != nil {
		return err
	}
	var img image.Image
	plane := s.H * s.W
	if s.C == 1 {
		g := image.NewGray(image.Rect(0, 0, s.W, s.H))
		for i := 0; i < plane; i++ {
			g.Pix[i] = level(x[i])
		}
		img = g
	} else {
		c := image.NewNRGBA(image.Rect(0, 0, s.W, s.H))
		for i := 0; i < plane; i++ {
			c.Pix[4*i], c.Pix[4*i+1], c.Pix[4*i+2], c.Pix[4*i+3] = level(x[i]), level(x[plane+i]), level(x[2*plane+i]), 255
		}
		img = c
	}
	return SavePNG(path, img)
}
