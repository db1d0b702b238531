package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// TestSaveOnFullDisk: a checkpoint that runs out of space anywhere (header
// or tensors) keeps the earlier file, which still loads, and leaves no
// temporary; the error is one line naming the file.
func TestSaveOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	c := New()
	c.Meta["step"] = "1"
	c.Tensors["w"] = Tensor{Shape: []int{300}, Data: make([]float32, 300)}
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	c.Meta["step"] = "2"
	for _, n := range []int64{0, 50, 200, int64(len(before)) - 1} {
		restore := atomicfile.SimulateFullDisk(n)
		err := Save(path, c)
		restore()
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") {
			t.Errorf("full after %d bytes: %v", n, err)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("full after %d bytes: the earlier checkpoint changed", n)
		}
		if _, err := Load(path); err != nil {
			t.Errorf("full after %d bytes: the earlier checkpoint no longer loads: %v", n, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("full after %d bytes: %d entries", n, len(entries))
		}
	}
}
