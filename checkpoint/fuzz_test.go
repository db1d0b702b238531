package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecode: no input panics; every error wraps ErrCorrupt and is one line
// naming the file; an accepted checkpoint's tensors hold as many values as
// their shapes say, and it saves and loads back equal. The seed corpus is
// testdata/fuzz/FuzzDecode (a valid file, and truncated, flipped, huge,
// inconsistent and foreign ones), plus a checkpoint saved now, so the
// valid path is seeded whatever the format becomes.
func FuzzDecode(f *testing.F) {
	p := filepath.Join(f.TempDir(), "seed.safetensors")
	if err := Save(p, sample()); err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := Decode(raw, "fuzz.safetensors")
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, ErrCorrupt) || !strings.HasPrefix(msg, "checkpoint: fuzz.safetensors: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line wrapping ErrCorrupt and naming the file: %q", msg)
			}
			return
		}
		for name, tn := range c.Tensors {
			n := 1
			for _, d := range tn.Shape {
				n *= d
			}
			if n != len(tn.Data) {
				t.Fatalf("tensor %q: shape %v with %d values", name, tn.Shape, len(tn.Data))
			}
		}
		p := filepath.Join(t.TempDir(), "again.safetensors")
		if err := Save(p, c); err != nil {
			t.Fatalf("cannot save what was accepted: %v", err)
		}
		d, err := Load(p)
		if err != nil || !Equal(c, d) {
			t.Fatalf("saved and loaded back differently: %v", err)
		}
	})
}
