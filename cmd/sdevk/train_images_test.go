package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/train"
)

// writeIDX writes an MNIST-style pair of IDX files (prefix-images-idx3-ubyte,
// prefix-labels-idx1-ubyte) of n 8x8 images into dir: a bright square in
// the quadrant of the image's label.
func writeIDX(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	images := binary.BigEndian.AppendUint32(nil, 0x803)
	for _, d := range []uint32{uint32(n), 8, 8} {
		images = binary.BigEndian.AppendUint32(images, d)
	}
	labels := binary.BigEndian.AppendUint32(nil, 0x801)
	labels = binary.BigEndian.AppendUint32(labels, uint32(n))
	for i := range n {
		c := i % 4
		labels = append(labels, byte(c))
		for p := range 64 {
			v := byte(10)
			if y, x := p/8, p%8; y/4 == c/2 && x/4 == c%2 {
				v = 240
			}
			images = append(images, v)
		}
	}
	for name, b := range map[string][]byte{prefix + "-images-idx3-ubyte": images, prefix + "-labels-idx1-ubyte": labels} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tinyImageConfig is an nf 8 DDPM++ on the 8x8 IDX set in dir.
func tinyImageConfig(dir string) string {
	return fmt.Sprintf(`seed = 4
[data]
kind = "images"
path = %q
image_size = 8
num_channels = 1
centered = true
[training]
sde = "vpsde"
batch_size = 8
n_iters = 4
snapshot_freq = 2
snapshot_sampling = true
eval_freq = 2
[model]
name = "ncsnpp"
nf = 8
ch_mult = [1, 2]
num_res_blocks = 1
attn_resolutions = [4]
dropout = 0.0
embedding_type = "positional"
scale_by_sigma = false
[optim]
lr = 3e-3
warmup = 0
[sampling]
predictor = "euler_maruyama"
corrector = "none"
n_steps = 25
n_samples = 4
`, dir)
}

// An image config trains through the command: metrics with evaluation
// losses, a snapshot grid, the final grid and samples in [0, 1], and a
// resumed run equal to the straight one bit for bit.
func TestTrainImages(t *testing.T) {
	set := t.TempDir()
	writeIDX(t, set, "train", 24)
	writeIDX(t, set, "t10k", 16)
	cfg := writeConfig(t, tinyImageConfig(set))
	dir := t.TempDir()
	straight := filepath.Join(dir, "straight")
	out := mustRun(t, "train", "--config", cfg, "--out", straight)
	if !strings.Contains(out, "sampled 4 images") {
		t.Errorf("train printed %q, want the sampled images", out)
	}
	for _, f := range []string{"metrics.jsonl", "loss.png", "samples.png", "samples.npy", "samples/iter_2/sample.png", "checkpoints/ckpt-00000004.safetensors"} {
		if _, err := os.Stat(filepath.Join(straight, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}
	ms, err := train.ReadMetrics(straight)
	if err != nil || len(ms) != 4 {
		t.Fatalf("metrics: %d lines, %v", len(ms), err)
	}
	for _, m := range ms {
		if (m.EvalLoss != nil) != (m.Step%2 == 0) || m.EvalLoss != nil && !(*m.EvalLoss > 0) {
			t.Errorf("step %d: eval_loss %v, want a positive one on even steps only", m.Step, m.EvalLoss)
		}
	}
	pts, err := data.LoadNPY(filepath.Join(straight, "samples.npy"))
	if err != nil || pts.N != 4 || pts.D != 64 {
		t.Fatalf("samples.npy: %+v, %v", pts, err)
	}

	halves := filepath.Join(dir, "halves")
	quiet := []string{"--config", cfg, "--out", halves, "--samples", "0", "--set", "training.snapshot_sampling=false"}
	mustRun(t, append([]string{"train", "--steps", "2"}, quiet...)...)
	mustRun(t, append([]string{"train", "--resume"}, quiet...)...)
	a, err := checkpoint.Load(checkpoint.Name(straight, 4))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Load(checkpoint.Name(halves, 4))
	if err != nil {
		t.Fatal(err)
	}
	for name, ta := range a.Tensors {
		tb := b.Tensors[name]
		for i := range ta.Data {
			if ta.Data[i] != tb.Data[i] {
				t.Fatalf("resumed image run differs at %s[%d]: %v vs %v", name, i, ta.Data[i], tb.Data[i])
			}
		}
	}
}

// Image data problems are one line, exit 2, before any training: a data set
// that is not installed names the command that installs it; a geometry that
// does not match the images names the key.
func TestTrainImageDataErrors(t *testing.T) {
	set := t.TempDir()
	writeIDX(t, set, "train", 8)
	t.Setenv("SDEVK_DATA", t.TempDir())
	for _, c := range []struct {
		name, config, want string
	}{
		{"not installed", strings.NewReplacer(fmt.Sprintf("path = %q", set), `dataset = "CIFAR10"`, "image_size = 8\n", "", "num_channels = 1\n", "").Replace(tinyImageConfig(set)), "cifar10 is not installed"},
		{"size", strings.Replace(tinyImageConfig(set), "image_size = 8", "image_size = 16", 1), "data.image_size: is 16, but the images are 8x8"},
		{"named size", strings.Replace(tinyImageConfig(set), fmt.Sprintf("path = %q", set), `dataset = "MNIST"`, 1), "tiny.toml:5: data.image_size: MNIST images are 28x28, got 8"},
		{"batch", strings.Replace(tinyImageConfig(set), "batch_size = 8", "batch_size = 9", 1), "training.batch_size"},
	} {
		cfg := writeConfig(t, c.config)
		out := filepath.Join(t.TempDir(), "run")
		code, _, stderr := runCmd(t, "train", "--config", cfg, "--out", out)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", c.name, code, stderr, c.want)
		}
	}
}
