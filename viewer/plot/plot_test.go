package plot

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// decodePNG reads back a saved PNG.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// inkShare is the share of pixels of img that are not white, and the share
// close to colour c (each channel within tol).
func inkShare(img image.Image, c color.NRGBA, tol int) (ink, near float64) {
	b := img.Bounds()
	var nInk, nNear int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 250 || g < 250 || bl < 250 {
				nInk++
			}
			if abs(int(r)-int(c.R)) <= tol && abs(int(g)-int(c.G)) <= tol && abs(int(bl)-int(c.B)) <= tol {
				nNear++
			}
		}
	}
	n := float64(b.Dx() * b.Dy())
	return float64(nInk) / n, float64(nNear) / n
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// save writes img under a test folder and decodes it again, checking the
// size.
func save(t *testing.T, name string, img image.Image, w, h int) image.Image {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := SavePNG(path, img); err != nil {
		t.Fatal(err)
	}
	got := decodePNG(t, path)
	if b := got.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("%s: %dx%d pixels, want %dx%d", name, b.Dx(), b.Dy(), w, h)
	}
	return got
}

func TestTicks(t *testing.T) {
	got := Ticks(-7.3, 8.1, 6)
	want := []float64{-6, -4, -2, 0, 2, 4, 6, 8}
	if len(got) != len(want) {
		t.Fatalf("Ticks = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("Ticks = %v, want %v", got, want)
		}
	}
	if Ticks(1, 1, 5) != nil {
		t.Error("empty range gave ticks")
	}
	if ticks := (niceTicker{}).Ticks(0, 1900); len(ticks) != 4 || ticks[1].Label != "500" || ticks[3].Label != "1500" {
		t.Errorf("axis ticks over [0, 1900] = %v, want 0, 500, 1000, 1500 all labelled", ticks)
	}
}

// TestSamplesOverDensity: a scatter over a shaded density, with two series
// in the legend: the PNG has the panel's size, a white corner, the density's
// blue near the mode, the samples' red, and dark text and axes.
func TestSamplesOverDensity(t *testing.T) {
	p := NewPanel(200, 160, Rect{-1, 1, -1, 1}, "samples over the density")
	blue, red := color.NRGBA{0, 0, 255, 255}, color.NRGBA{220, 0, 0, 255}
	p.Density(func(xy, out []float64) {
		for i := range out {
			out[i] = -4 * (xy[2*i]*xy[2*i] + xy[2*i+1]*xy[2*i+1])
		}
	}, blue, 0.5, 1)
	var xy []float64
	for i := 0; i < 50; i++ {
		a := 2 * math.Pi * float64(i) / 50
		xy = append(xy, 0.6*math.Cos(a), 0.6*math.Sin(a))
	}
	xy = append(xy, 1e12, 3, math.NaN(), 0) // off the panel, not finite: skipped
	p.Points(xy, 2, red)
	p.Frame()
	img := save(t, "samples.png", p.Img, 200+MarginX, 160+MarginY)
	if c := color.NRGBAModel.Convert(img.At(0, 0)).(color.NRGBA); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("corner pixel %v, want white", c)
	}
	ink, nearRed := inkShare(img, red, 40)
	if ink < 0.1 || ink > 0.8 {
		t.Errorf("%.0f%% of the pixels drawn, want a figure (10%%..80%%)", 100*ink)
	}
	if nearRed < 0.003 {
		t.Errorf("%.2f%% of the pixels are the samples' red", 100*nearRed)
	}
	_, dark := inkShare(img, color.NRGBA{0, 0, 0, 255}, 60)
	if dark < 0.005 {
		t.Errorf("%.2f%% dark pixels: no axes or text", 100*dark)
	}
	// The centre of the plot area is shaded blue by the density's mode.
	cx, cy := img.Bounds().Dx()/2, img.Bounds().Dy()/2
	for _, d := range [][2]int{{0, 0}, {3, 3}, {-3, 3}} {
		r, g, b, _ := img.At(cx+d[0], cy+d[1]).RGBA()
		if !(b>>8 > r>>8+40 && b>>8 > g>>8+40) {
			t.Errorf("pixel (%d, %d) = (%d, %d, %d), want the density's blue", cx+d[0], cy+d[1], r>>8, g>>8, b>>8)
		}
	}
}

// TestQuiverRow: arrows and a path on two panels side by side.
func TestQuiverRow(t *testing.T) {
	var panels []*Panel
	for k := 0; k < 2; k++ {
		p := NewPanel(120, 120, Rect{-2, 2, -2, 2}, "score field")
		for x := -1.5; x <= 1.5; x += 0.5 {
			for y := -1.5; y <= 1.5; y += 0.5 {
				p.Arrow(x, y, -8*x, -8*y, 1, color.NRGBA{30, 30, 30, 255})
			}
		}
		p.Polyline([]float64{-1, -1, 0, 0.5, 1, -1}, 1.5, Palette[2])
		p.Disc(1, -1, 3, Palette[2])
		p.Frame()
		panels = append(panels, p)
	}
	if len(panels[0].legend) != 1 || panels[0].legend[0].name != "score" || len(panels[0].plotters) != 3 {
		t.Errorf("legend %v and %d series, want one \"score\" entry and 3 series (arrows, path, disc)", panels[0].legend, len(panels[0].plotters))
	}
	w, h := 2*(120+MarginX), 120+MarginY
	img := save(t, "quiver.png", Row(panels...), w, h)
	_, green := inkShare(img, Palette[2], 30)
	_, dark := inkShare(img, color.NRGBA{30, 30, 30, 255}, 40)
	if green < 0.001 || dark < 0.01 {
		t.Errorf("%.2f%% path green, %.2f%% arrow/text dark: want both drawn", 100*green, 100*dark)
	}
	// Both halves are drawn alike.
	_, leftDark := inkShare(img.(*image.RGBA).SubImage(image.Rect(0, 0, w/2, h)), color.NRGBA{30, 30, 30, 255}, 40)
	if math.Abs(leftDark-dark) > 0.2*dark {
		t.Errorf("left panel %.2f%% dark, whole row %.2f%%", 100*leftDark, 100*dark)
	}
}

// TestLoss: a decaying loss with its running mean, labelled axes and a
// legend of two entries.
func TestLoss(t *testing.T) {
	var steps, losses []float64
	for i := 0; i < 500; i++ {
		steps = append(steps, float64(10*i))
		losses = append(losses, 1+math.Exp(-float64(i)/80)+0.1*math.Sin(float64(i)))
	}
	p := Loss(400, 150, steps, losses)
	if p.XLabel != "step" || p.YLabel != "loss" || len(p.legend) != 2 {
		t.Errorf("labels %q %q, legend %v", p.XLabel, p.YLabel, p.legend)
	}
	img := save(t, "loss.png", p.Img, 400+MarginX, 150+MarginY)
	_, mean := inkShare(img, lossMeanColor, 30)
	_, raw := inkShare(img, lossRawColor, 20)
	if mean < 0.002 || raw < 0.002 {
		t.Errorf("%.2f%% running-mean pixels, %.2f%% raw-loss pixels: want both curves", 100*mean, 100*raw)
	}
	// No points: an empty but framed panel, not a panic.
	if empty := Loss(100, 50, nil, nil); empty.Img.Bounds().Dx() != 100+MarginX {
		t.Errorf("empty loss panel %v", empty.Img.Bounds())
	}
}
