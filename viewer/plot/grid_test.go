package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestGridLayoutAndLevels(t *testing.T) {
	s := ImageShape{C: 3, H: 3, W: 5}
	n := 7
	x := make([]float32, n*s.Dim())
	for k := 0; k < n; k++ {
		for i := 0; i < s.Dim(); i++ {
			x[k*s.Dim()+i] = float32(k) / 6 // image k is one grey level
		}
	}
	x[s.Dim()] = float32(math.NaN()) // image 1, red plane, pixel (0, 0)
	x[2*s.Dim()] = 2                 // clamped
	img, err := Grid(x, n, s, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	cw, ch := 5*2+GridPad, 3*2+GridPad
	if got, want := img.Rect.Dx(), 3*cw+GridPad; got != want {
		t.Fatalf("width %d, want %d", got, want)
	}
	if got, want := img.Rect.Dy(), 3*ch+GridPad; got != want {
		t.Fatalf("height %d, want %d", got, want)
	}
	for k := 0; k < n; k++ {
		x0, y0 := GridPad+(k%3)*cw, GridPad+(k/3)*ch
		c := img.NRGBAAt(x0+3, y0+3) // not pixel (0, 0)
		want := uint8(math.Round(float64(float32(k)/6) * 255))
		if c.R != want || c.G != want || c.B != want {
			t.Errorf("image %d: colour %v, want level %d", k, c, want)
		}
	}
	if c := img.NRGBAAt(GridPad+cw, GridPad); c.R != 255 || c.G != 0 || c.B != 255 {
		t.Errorf("NaN pixel drawn %v, want magenta", c)
	}
	if c := img.NRGBAAt(GridPad+2*cw, GridPad); c.R != 255 {
		t.Errorf("value 2 drawn %v, want clamped to 255", c)
	}
}

func TestGridRejectsBadShapes(t *testing.T) {
	if _, err := Grid(make([]float32, 10), 2, ImageShape{C: 2, H: 1, W: 5}, 0, 1); err == nil {
		t.Error("two channels accepted")
	}
	if _, err := Grid(make([]float32, 9), 2, ImageShape{C: 1, H: 1, W: 5}, 0, 1); err == nil {
		t.Error("short data accepted")
	}
}

func TestSaveImageGrey(t *testing.T) {
	s := ImageShape{C: 1, H: 2, W: 3}
	x := []float32{0, 0.5, 1, 1, 0.5, 0}
	p := filepath.Join(t.TempDir(), "a.png")
	if err := SaveImage(p, x, s); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
		t.Fatalf("size %v", b)
	}
	r, _, _, _ := img.At(1, 0).RGBA()
	if r>>8 != 128 {
		t.Errorf("level %d, want 128", r>>8)
	}
}
