package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
)

const tinyConfig = `seed = 3
[data]
kind = "8gaussians"
[sde]
kind = "vp"
[model]
hidden = 16
layers = 2
embedding_dim = 16
[training]
batch_size = 64
n_iters = 20
snapshot_freq = 10
[optim]
lr = 2e-3
warmup = 5
[sampling]
method = "pc"
predictor = "euler_maruyama"
corrector = "none"
n_steps = 40
n_samples = 100
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// listDir names the files under dir, recursively, for before/after checks.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			names = append(names, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return strings.Join(names, ",")
}

// The whole cycle on the device: train, refuse to overwrite, resume bit for
// bit, sample and measure a likelihood from the checkpoint.
func TestTrainSampleLikelihoodFromCheckpoint(t *testing.T) {
	cfg := writeConfig(t, tinyConfig)
	dir := t.TempDir()
	straight := filepath.Join(dir, "straight")
	mustRun(t, "train", "--config", cfg, "--out", straight)
	for _, f := range []string{"metrics.jsonl", "loss.png", "samples.npy", "samples.png", "checkpoints/ckpt-00000010.safetensors", "checkpoints/ckpt-00000020.safetensors"} {
		if _, err := os.Stat(filepath.Join(straight, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}
	before := listDir(t, straight)
	if code, _, stderr := runCmd(t, "train", "--config", cfg, "--out", straight); code != 2 || !strings.Contains(stderr, "--resume") {
		t.Errorf("training again into a run directory: exit %d, %q", code, stderr)
	}
	if after := listDir(t, straight); after != before {
		t.Errorf("a refused run changed the directory: %s -> %s", before, after)
	}

	halves := filepath.Join(dir, "halves")
	mustRun(t, "train", "--config", cfg, "--out", halves, "--steps", "10", "--samples", "0")
	mustRun(t, "train", "--config", cfg, "--out", halves, "--resume", "--samples", "0")
	a, err := checkpoint.Load(checkpoint.Name(straight, 20))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Load(checkpoint.Name(halves, 20))
	if err != nil {
		t.Fatal(err)
	}
	for name, ta := range a.Tensors {
		tb := b.Tensors[name]
		for i := range ta.Data {
			if ta.Data[i] != tb.Data[i] {
				t.Fatalf("resumed run differs at %s[%d]: %v vs %v", name, i, ta.Data[i], tb.Data[i])
			}
		}
	}

	out := filepath.Join(dir, "s.npy")
	mustRun(t, "sample", "--checkpoint", straight, "--n", "50", "--out", out)
	pts, err := data.LoadNPY(out)
	if err != nil || pts.N != 50 || pts.D != 2 {
		t.Fatalf("sample --checkpoint wrote %+v, %v", pts, err)
	}
	lj := filepath.Join(dir, "l.json")
	mustRun(t, "likelihood", "--checkpoint", straight, "--data", out, "--estimator", "rademacher", "--out", lj)
	if got := readJSON(t, lj); got["mean_logp"] == nil || got["nfe"] == nil {
		t.Errorf("likelihood JSON lacks mean_logp or nfe: %v", got)
	}

	// A corrupted checkpoint is refused with a one-line error.
	raw, _ := os.ReadFile(checkpoint.Name(straight, 20))
	raw[len(raw)-7] ^= 0x10
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, raw, 0o644)
	if code, _, stderr := runCmd(t, "sample", "--checkpoint", bad, "--out", out); code != 2 || !strings.Contains(stderr, "corrupted") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("corrupted checkpoint: exit %d, %q", code, stderr)
	}
}

// A diverging run stops with the step it diverged at, exit 2.
func TestTrainStopsOnNaN(t *testing.T) {
	cfg := writeConfig(t, tinyConfig)
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCmd(t, "train", "--config", cfg, "--out", out, "--set", "optim.lr=1e30", "--set", "optim.grad_clip=0", "--set", "optim.warmup=0")
	if code != 2 || !strings.Contains(stderr, "diverged") || !strings.Contains(stderr, "at step") {
		t.Errorf("diverging run: exit %d, stderr %q", code, stderr)
	}
}

// Without Vulkan, --device cpu-reference trains with the float64 reference
// executor and samples the result on the host.
func TestTrainOnReference(t *testing.T) {
	cfg := writeConfig(t, strings.Replace(tinyConfig, "n_iters = 20", "n_iters = 4", 1))
	out := filepath.Join(t.TempDir(), "ref")
	mustRun(t, "train", "--config", cfg, "--out", out, "--device", "cpu-reference", "--samples", "20")
	if _, err := os.Stat(checkpoint.Name(out, 4)); err != nil {
		t.Fatal(err)
	}
	pts, err := data.LoadNPY(filepath.Join(out, "samples.npy"))
	if err != nil || pts.N != 20 {
		t.Fatalf("samples: %+v, %v", pts, err)
	}
	// Its checkpoint samples on the device like any other.
	mustRun(t, "sample", "--checkpoint", out, "--n", "10", "--out", filepath.Join(out, "s.npy"))
}
