package data

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maskString draws an image's marks as rows of 1 (known) and 0.
func maskString(m []bool, w int) string {
	var b strings.Builder
	for i, k := range m {
		if i > 0 && i%w == 0 {
			b.WriteByte('/')
		}
		b.WriteByte("01"[boolInt(k)])
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestBuiltinMasks(t *testing.T) {
	for spec, want := range map[string]string{
		"left-half":  "1100/1100/1100/1100",
		"centre-box": "1111/1001/1001/1111",
	} {
		m, err := ParseMask(spec, MaskFor{N: 3, C: 1, H: 4, W: 4, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := maskString(m.Known, 4); got != want || m.PerImage() {
			t.Errorf("%s: %s (per image %v), want %s shared", spec, got, m.PerImage(), want)
		}
		if e := m.Elements(3, 2); len(e) != 32 || maskString(e[16:], 4) != want {
			t.Errorf("%s: elements of 2 channels: %s", spec, maskString(e, 4))
		}
	}
	m, err := ParseMask("random:0.5", MaskFor{N: 3, C: 3, H: 8, W: 8, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ParseMask("random:0.5", MaskFor{N: 3, C: 3, H: 8, W: 8, Seed: 7})
	other, _ := ParseMask("random:0.5", MaskFor{N: 3, C: 3, H: 8, W: 8, Seed: 8})
	known := 0
	for _, k := range m.Known {
		known += boolInt(k)
	}
	if !m.PerImage() || len(m.Elements(3, 3)) != 3*3*64 || maskString(m.Image(0), 8) == maskString(m.Image(1), 8) {
		t.Errorf("random:0.5 is not one mask per image: %d marks", len(m.Known))
	}
	if maskString(m.Known, 8) != maskString(again.Known, 8) || maskString(m.Known, 8) == maskString(other.Known, 8) {
		t.Error("random:0.5 does not follow the seed")
	}
	later, _ := ParseMask("random:0.5", MaskFor{First: 1, N: 1, C: 3, H: 8, W: 8, Seed: 7})
	if maskString(later.Image(0), 8) != maskString(m.Image(1), 8) {
		t.Error("random:0.5: image 1's mask depends on the images selected")
	}
	if known < 3*64/2-30 || known > 3*64/2+30 {
		t.Errorf("random:0.5 marked %d of %d pixels known", known, 3*64)
	}
	for spec, msg := range map[string]string{"random:1.5": "probability", "random:x": "probability", "middle": "want left-half, centre-box, random:P"} {
		if _, err := ParseMask(spec, MaskFor{N: 1, C: 1, H: 4, W: 4, Seed: 1}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: err = %v, want %q", spec, err, msg)
		}
	}
}

func TestMaskFiles(t *testing.T) {
	dir := t.TempDir()
	// A 4x3 PNG: the top row white (known).
	img := image.NewGray(image.Rect(0, 0, 4, 3))
	for x := 0; x < 4; x++ {
		img.SetGray(x, 0, color.Gray{Y: 255})
	}
	pngPath := filepath.Join(dir, "m.png")
	f, err := os.Create(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m, err := ParseMask(pngPath, MaskFor{N: 2, C: 3, H: 3, W: 4, Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	if got := maskString(m.Known, 4); got != "1111/0000/0000" {
		t.Errorf("PNG mask: %s", got)
	}
	if _, err := ParseMask(pngPath, MaskFor{N: 2, C: 3, H: 4, W: 4, Seed: 0}); err == nil || !strings.Contains(err.Error(), "m.png: mask of 4x3 pixels (H, W) = (3, 4), the images are (C, H, W) = (3, 4, 4)") {
		t.Errorf("PNG of the wrong size: %v", err)
	}
	perImage := filepath.Join(dir, "m.npy")
	if err := SaveNPY(perImage, []float64{1, 0, 0, 1, 0, 0, 1, 1}, 2, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseMask(perImage, MaskFor{N: 2, C: 1, H: 2, W: 2, Seed: 0}); err == nil || !strings.Contains(err.Error(), "m.npy: mask of shape (2, 4), the images are (N, C, H, W) = (2, 1, 2, 2)") {
		t.Errorf(".npy of the wrong shape: %v", err)
	}
	shared := filepath.Join(dir, "s.npy")
	if err := SaveNPY(shared, []float64{1, 0, 0, 1}, 2, 2); err != nil {
		t.Fatal(err)
	}
	m, err = ParseMask(shared, MaskFor{N: 5, C: 1, H: 2, W: 2, Seed: 0})
	if err != nil || m.PerImage() || maskString(m.Known, 2) != "10/01" {
		t.Errorf("(H, W) .npy mask: %+v, %v", m, err)
	}
	// One per image, as numpy writes a bool array of shape (2, 2, 2).
	boolMask := writeFile(t, dir, "bool.npy", imageNPY("|b1", "(2, 2, 2)", []byte{1, 0, 0, 1, 0, 0, 1, 1}))
	m, err = ParseMask(boolMask, MaskFor{N: 2, C: 3, H: 2, W: 2, Seed: 0})
	if err != nil || !m.PerImage() || maskString(m.Image(0), 2) != "10/01" || maskString(m.Image(1), 2) != "00/11" {
		t.Errorf("(N, H, W) bool mask: %+v, %v", m, err)
	}
	if e := m.Elements(2, 3); len(e) != 24 || maskString(e[12:16], 2) != "00/11" {
		t.Errorf("elements of a mask per image: %s", maskString(e, 2))
	}
	if _, err := ParseMask(boolMask, MaskFor{N: 3, C: 3, H: 2, W: 2, Seed: 0}); err == nil || !strings.Contains(err.Error(), "mask of shape (2, 2, 2), the images are (N, C, H, W) = (3, 3, 2, 2)") {
		t.Errorf("masks for 2 images given 3: %v", err)
	}
	bad := filepath.Join(dir, "b.npy")
	if err := SaveNPY(bad, []float64{1, 0.5, 0, 1}, 2, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseMask(bad, MaskFor{N: 1, C: 1, H: 2, W: 2, Seed: 0}); err == nil || !strings.Contains(err.Error(), "value 1 is 0.5") {
		t.Errorf("a mask of 0.5: %v", err)
	}
}
