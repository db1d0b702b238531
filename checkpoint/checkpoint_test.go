package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func sample() *Checkpoint {
	c := New()
	c.Tensors["params/w"] = Tensor{Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}
	c.Tensors["params/b"] = Tensor{Shape: []int{3}, Data: []float32{-1, 0.5, 7}}
	c.Tensors["scalar"] = Tensor{Shape: []int{}, Data: []float32{42}}
	c.Meta["step"] = "17"
	return c
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "ckpt.safetensors")
	c := sample()
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(c, got) {
		t.Errorf("loaded %+v, saved %+v", got, c)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only the checkpoint (no temporary files)", len(entries))
	}
}

func TestCorruptionIsDetected(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.safetensors")
	if err := Save(path, sample()); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	cases := map[string][]byte{
		"flipped data byte": append(append([]byte{}, raw[:len(raw)-3]...), raw[len(raw)-3]^0x40, raw[len(raw)-2], raw[len(raw)-1]),
		"truncated":         raw[:len(raw)-5],
		"empty":             {},
		"not safetensors":   []byte("hello, world, this is not a checkpoint"),
	}
	for name, data := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		if _, err := Load(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Load returned %v, want ErrCorrupt", name, err)
		}
	}
}

func TestSaveRefusesBadShapes(t *testing.T) {
	c := New()
	c.Tensors["x"] = Tensor{Shape: []int{2, 2}, Data: []float32{1}}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := Save(path, c); err == nil {
		t.Fatal("a tensor with too few values was saved")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a failed save left a file behind")
	}
}

func TestResolveLatest(t *testing.T) {
	run := t.TempDir()
	for _, step := range []int{100, 2000, 300} {
		if err := Save(Name(run, step), sample()); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Resolve(run)
	if err != nil {
		t.Fatal(err)
	}
	if want := Name(run, 2000); got != want {
		t.Errorf("Resolve = %s, want %s", got, want)
	}
	if _, err := Resolve(t.TempDir()); err == nil {
		t.Error("an empty run directory resolved")
	}
}
