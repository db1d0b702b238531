package data

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// grayImage is w x h with pixel (x, y) = at(x, y).
func grayImage(w, h int, at func(x, y int) uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			g.SetGray(x, y, color.Gray{at(x, y)})
		}
	}
	return g
}

func TestLoadImageFolderClasses(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "cats", "1.png"), grayImage(3, 2, func(x, y int) uint8 { return uint8(10*y + x) }))
	rgb := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		rgb.SetNRGBA(i%3, i/3, color.NRGBA{uint8(i), 100, 200, 255})
	}
	writePNG(t, filepath.Join(dir, "dogs", "a", "2.png"), rgb)
	os.WriteFile(filepath.Join(dir, "dogs", "notes.txt"), []byte("skipped"), 0o644)
	jf, err := os.Create(filepath.Join(dir, "dogs", "3.JPG"))
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(jf, grayImage(3, 2, func(x, y int) uint8 { return 90 }), &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	jf.Close()
	im, err := LoadImageFolder(dir, FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Files are in path order: dogs/3.JPG before dogs/a/2.png.
	if j := im.Image(1); im.Labels[1] != 1 || j[0] < 88 || j[0] > 92 {
		t.Fatalf("JPEG image: label %d, pixels %v, want about 90", im.Labels[1], j)
	}
	if im.N != 3 || im.C != 3 || im.H != 2 || im.W != 3 {
		t.Fatalf("shape (%d, %d, %d, %d), want (3, 3, 2, 3)", im.N, im.C, im.H, im.W)
	}
	if strings.Join(im.Classes, ",") != "cats,dogs" || im.Labels[0] != 0 || im.Labels[2] != 1 {
		t.Fatalf("classes %v labels %v", im.Classes, im.Labels)
	}
	// The grey image repeats in all three channels; pixel (x=2, y=1) = 12.
	if g := im.Image(0); g[5] != 12 || g[6+5] != 12 || g[12+5] != 12 {
		t.Fatalf("grey image channels %v", g)
	}
	if c := im.Image(2); c[4] != 4 || c[6+4] != 100 || c[12+4] != 200 {
		t.Fatalf("colour image %v", c)
	}
}

func TestLoadImageFolderGreyResizeAndCrop(t *testing.T) {
	dir := t.TempDir()
	// 8 wide, 6 high; the centre 4x4 window is x 2..5, y 1..4.
	writePNG(t, filepath.Join(dir, "a.png"), grayImage(8, 6, func(x, y int) uint8 { return uint8(20*x + y) }))
	writePNG(t, filepath.Join(dir, "b.png"), grayImage(6, 6, func(x, y int) uint8 { return 77 }))
	im, err := LoadImageFolder(dir, FolderOptions{Size: 2, Crop: 4})
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 2 || im.C != 1 || im.H != 2 || im.W != 2 || im.Labels != nil {
		t.Fatalf("shape (%d, %d, %d, %d), labels %v", im.N, im.C, im.H, im.W, im.Labels)
	}
	// Output (0, 0) averages x 2..3, y 1..2: 20*2.5 + 1.5 = 51.5 -> 52.
	want := []uint8{52, 92, 54, 94}
	for i, w := range want {
		if im.Image(0)[i] != w {
			t.Fatalf("cropped and resized image %v, want %v", im.Image(0), want)
		}
	}
	// Without a crop, the shorter side goes to Size: 8x6 -> 3x2 (rounded 2.67), centre 2x2.
	if im, err = LoadImageFolder(dir, FolderOptions{Size: 2}); err != nil || im.W != 2 || im.Image(1)[3] != 77 {
		t.Fatalf("resize shorter side: %v %v", im, err)
	}
}

func TestAreaResizeAverages(t *testing.T) {
	p := plane{3, 3, []float64{0, 3, 6, 9, 12, 15, 18, 21, 24}}
	r := p.resize(2, 2)
	// Output (0, 0) covers rows and columns [0, 1.5): weights 2/3 and 1/3.
	w := func(a, b float64) float64 { return (2*a + b) / 3 }
	want := w(w(0, 3), w(9, 12))
	if math.Abs(r.v[0]-want) > 1e-12 {
		t.Fatalf("resized (0, 0) = %v, want %v", r.v[0], want)
	}
	sum := 0.0
	for _, v := range r.v {
		sum += v
	}
	if mean := sum / 4; math.Abs(mean-12) > 1e-12 {
		t.Fatalf("area averaging changed the mean to %v, want 12", mean)
	}
}

func TestLoadImageFolderRejects(t *testing.T) {
	mixed := t.TempDir()
	writePNG(t, filepath.Join(mixed, "a.png"), grayImage(4, 4, func(x, y int) uint8 { return 0 }))
	writePNG(t, filepath.Join(mixed, "b.png"), grayImage(5, 4, func(x, y int) uint8 { return 0 }))
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "x.png"), []byte("\x89PNG not really"), 0o644)
	small := t.TempDir()
	writePNG(t, filepath.Join(small, "s.png"), grayImage(4, 4, func(x, y int) uint8 { return 0 }))
	for _, c := range []struct {
		dir  string
		opt  FolderOptions
		file string
		want string
	}{
		{mixed, FolderOptions{}, "b.png", "image 1 is 5x4"},
		{broken, FolderOptions{}, "x.png", "does not decode"},
		{small, FolderOptions{Size: 2, Crop: 8}, "s.png", "smaller than the 8x8 crop"},
		{t.TempDir(), FolderOptions{}, "", "no PNG or JPEG"},
	} {
		_, err := LoadImageFolder(c.dir, c.opt)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), filepath.Join(c.dir, c.file)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one line naming %s with %q", c.dir, err, c.file, c.want)
		}
	}
	// Mixed sizes are fine once resized.
	if _, err := LoadImageFolder(mixed, FolderOptions{Size: 4}); err != nil {
		t.Errorf("resized mixed sizes: %v", err)
	}
}
