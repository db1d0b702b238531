package scoresde

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// An imported checkpoint carries what `train --resume` needs: Adam's moments
// (zeros before the first step), the optimiser state at score_sde's step,
// and the weights, so a trainer restores it and goes on from that step.
func TestImportedCheckpointResumes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mlp.safetensors")
	if _, err := Import(Options{Checkpoint: mlpCheckpoint, Config: mlpConfig, Out: out}, mlpNetwork); err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoint.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	st := ck.Tensors["optim/state"].Data
	if len(st) != kernels.OptimStateLen || math.Float32bits(st[kernels.OptStep]) != 42 {
		t.Fatalf("optim/state %v, want %d words with step 42", st, kernels.OptimStateLen)
	}
	c, err := config.Load(mlpConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := c.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := train.ConfigFrom(c, ds)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Batch = 16
	dev := vktest.Open(t, vk.Options{})
	tr, err := train.New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Restore(ck); err != nil {
		t.Fatal(err)
	}
	if tr.Steps() != 42 {
		t.Fatalf("restored at step %d, want 42", tr.Steps())
	}
	loss, err := tr.Next()
	if err != nil || math.IsNaN(loss) {
		t.Fatalf("step after the import: loss %v, %v", loss, err)
	}
	after, err := tr.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := math.Float32bits(after.Tensors["optim/state"].Data[kernels.OptStep]); got != 43 {
		t.Errorf("optimiser step %d after one step, want 43", got)
	}
	moved := false
	for name, m := range after.Tensors {
		if len(name) > 7 && name[:7] == "adam_m/" {
			for _, x := range m.Data {
				moved = moved || x != 0
			}
		}
	}
	if !moved {
		t.Error("Adam's first moments are still zero after a step")
	}
}
