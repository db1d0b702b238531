package plot

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

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
}

func TestDrawAndSave(t *testing.T) {
	p := NewPanel(100, 80, Rect{-1, 1, -1, 1}, "Test 0.5")
	p.Density(func(xy, out []float64) {
		for i := range out {
			out[i] = -(xy[2*i]*xy[2*i] + xy[2*i+1]*xy[2*i+1])
		}
	}, color.NRGBA{0, 0, 255, 255}, 0.5, 1)
	p.Points([]float64{0, 0, 0.5, 0.5, 1e12, 3}, 2, color.NRGBA{255, 0, 0, 255})
	p.Arrow(0, 0, 20, 10, 1, color.NRGBA{0, 0, 0, 255})
	p.Polyline([]float64{-5000, 0.5, 0, 0.5, 0.5, -0.5}, 1, color.NRGBA{0, 128, 0, 255})
	p.Frame()
	if c := p.Img.RGBAAt(marginLeft+75, marginTop+20); c.R < 200 || c.G > 100 {
		t.Errorf("centre pixel %v, want the red disc", c)
	}
	if c := p.Img.RGBAAt(1, 1); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("corner pixel %v, want white", c)
	}
	path := filepath.Join(t.TempDir(), "p.png")
	if err := SavePNG(path, Row(p, p)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 2*p.Img.Rect.Dx() {
		t.Fatalf("decoded %v %v", img.Bounds(), err)
	}
	if TextWidth("ab") != 11 {
		t.Errorf("TextWidth = %d", TextWidth("ab"))
	}
}
