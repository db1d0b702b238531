package plot

import (
	"errors"
	"image"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// TestSavePNGOnFullDisk: a plot that runs out of space keeps the earlier
// file and leaves no temporary.
func TestSavePNGOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.png")
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	if err := SavePNG(path, img); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	for _, n := range []int64{0, 8, 100} {
		restore := atomicfile.SimulateFullDisk(n)
		err := SavePNG(path, img)
		restore()
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("full after %d bytes: %v", n, err)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("full after %d bytes: the earlier plot changed", n)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("full after %d bytes: %d entries", n, len(entries))
		}
	}
}
