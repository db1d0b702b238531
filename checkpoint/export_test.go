package checkpoint

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func trainingCheckpoint() *Checkpoint {
	c := New()
	c.Meta["step"], c.Meta["config"] = "12", "seed = 1"
	c.Tensors["params/a"] = Tensor{Shape: []int{2}, Data: []float32{1, 2}}
	c.Tensors["params/frozen"] = Tensor{Shape: []int{1}, Data: []float32{9}}
	c.Tensors["ema/a"] = Tensor{Shape: []int{2}, Data: []float32{1.5, 2.5}}
	c.Tensors["adam_m/a"] = Tensor{Shape: []int{2}, Data: []float32{0.1, 0.2}}
	c.Tensors["adam_v/a"] = Tensor{Shape: []int{2}, Data: []float32{0.3, 0.4}}
	c.Tensors["optim/state"] = Tensor{Shape: []int{1}, Data: []float32{0}}
	return c
}

func TestExportKeepsOneWeightSet(t *testing.T) {
	for _, tc := range []struct {
		w    Weights
		want []float32
	}{{WeightsEMA, []float32{1.5, 2.5}}, {WeightsModel, []float32{1, 2}}} {
		out, err := Export(trainingCheckpoint(), tc.w)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tensors) != 2 {
			t.Errorf("%s: %d tensors, want params/a and params/frozen only", tc.w, len(out.Tensors))
		}
		if got := out.Tensors["params/a"].Data; !slices.Equal(got, tc.want) {
			t.Errorf("%s: params/a %v, want %v", tc.w, got, tc.want)
		}
		if got := out.Tensors["params/frozen"].Data; !slices.Equal(got, []float32{9}) {
			t.Errorf("%s: the frozen parameter %v, want its value", tc.w, got)
		}
		if out.Meta["config"] != "seed = 1" || out.Meta["step"] != "12" || out.Meta["weights"] != string(tc.w) {
			t.Errorf("%s: metadata %v", tc.w, out.Meta)
		}
	}
}

func TestExportRefusesWhatCannotBeExported(t *testing.T) {
	c := trainingCheckpoint()
	delete(c.Tensors, "ema/a")
	if _, err := Export(c, WeightsEMA); err == nil {
		t.Error("EMA export of a run without an EMA accepted")
	}
	if _, err := Export(New(), WeightsModel); err == nil {
		t.Error("export of an empty checkpoint accepted")
	}
	if _, err := Export(trainingCheckpoint(), "best"); err == nil {
		t.Error("unknown weight set accepted")
	}
}

func TestResolveModelDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Resolve(dir); err == nil {
		t.Fatal("an empty directory resolved")
	}
	m := filepath.Join(dir, ModelFile)
	if err := os.WriteFile(m, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Resolve(dir); err != nil || got != m {
		t.Errorf("Resolve = %q, %v; want %s", got, err, m)
	}
}

func TestResolveTakesTheLatestStep(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "checkpoints"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ckpt-42.safetensors", "ckpt-00000060.safetensors", "ckpt-00000007.safetensors"} {
		if err := os.WriteFile(filepath.Join(dir, "checkpoints", n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Resolve(dir)
	if err != nil || filepath.Base(got) != "ckpt-00000060.safetensors" {
		t.Errorf("Resolve = %q, %v; want ckpt-00000060.safetensors", got, err)
	}
}
