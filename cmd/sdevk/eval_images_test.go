package main

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/quality"
)

// writeIDXSet writes an MNIST-style folder of n 8x8 training and test
// images (a bright square in the corner of each label) and returns it.
func writeIDXSet(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	idx := func(dims []int, values []byte) []byte {
		b := []byte{0, 0, 8, byte(len(dims))}
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, uint32(d))
		}
		return append(b, values...)
	}
	for _, prefix := range []string{"train", "t10k"} {
		px, labels := make([]byte, n*64), make([]byte, n)
		for i := range n {
			c := r.IntN(4)
			labels[i] = byte(c)
			for p := range 64 {
				v := 20 + r.IntN(40)
				if y, x := p/8, p%8; y/4 == c/2 && x/4 == c%2 {
					v = 200 + r.IntN(50)
				}
				px[i*64+p] = byte(v)
			}
		}
		for name, raw := range map[string][]byte{
			prefix + "-images-idx3-ubyte": idx([]int{n, 8, 8}, px),
			prefix + "-labels-idx1-ubyte": idx([]int{n}, labels),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// saveRandomClassifier saves a classifier of one-channel size x size
// images and MNIST's ten classes with random weights as step 1 of a run
// directory and returns the directory.
func saveRandomClassifier(t *testing.T, size int) string {
	t.Helper()
	return saveClassifierRun(t, model.ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 10,
		ImageSize: size, NumChannels: 1})
}

// saveClassifierRun saves a classifier of configuration c with random
// weights as step 1 of a run directory and returns the directory.
func saveClassifierRun(t *testing.T, c model.ClassifierConfig) string {
	t.Helper()
	net, err := model.NewClassifier(c)
	if err != nil {
		t.Fatal(err)
	}
	w, err := model.InitParams32(net.Params(), 3)
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	path := checkpoint.Name(run, 1)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := quality.SaveClassifier(path, net, w, map[string]string{"step": "1"}); err != nil {
		t.Fatal(err)
	}
	return run
}

// TestEvalImages: `sdevk eval --classifier` reports FID, KID, the class
// histogram against the training set's and the mean confidence, with the
// floor when asked, on the device and on the reference executor; bad
// input is one line and exit 2.
func TestEvalImages(t *testing.T) {
	set := writeIDXSet(t, 24)
	clf := saveRandomClassifier(t, 8)
	dir := t.TempDir()
	samples := filepath.Join(dir, "s.npy")
	x := make([]float32, 12*64)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range x {
		x[i] = r.Float32()
	}
	if err := saveArray(samples, []int{12, 1, 8, 8}, x); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "model", "--classifier", clf); !strings.Contains(out, "classifier nf 8") || !strings.Contains(out, "\nparameters ") {
		t.Errorf("sdevk model --classifier:\n%s", out)
	}
	report := filepath.Join(dir, "e.json")
	for _, device := range []string{"", "cpu-reference"} {
		args := []string{"eval", "--classifier", clf, "--data", set, "--samples", samples, "--floor", "--out", report}
		if device != "" {
			args = append(args, "--device", device)
		}
		out := mustRun(t, args...)
		for _, want := range []string{"FID ", "(floor, training vs test:", "KID ", "classes of the samples 0:", "training set", "max deviation", "mean confidence", "test accuracy"} {
			if !strings.Contains(out, want) {
				t.Errorf("device %q: output lacks %q:\n%s", device, want, out)
			}
		}
		t.Logf("device %q:\n%s", device, out)
		raw, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var rep map[string]any
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"fid", "kid", "classes", "floor_fid", "classifier"} {
			if _, ok := rep[key]; !ok {
				t.Errorf("report lacks %q: %s", key, raw)
			}
		}
	}

	bad := filepath.Join(dir, "bad.npy")
	if err := saveArray(bad, []int{12, 64}, x); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "outside.npy")
	if err := saveArray(outside, []int{12, 1, 8, 8}, append([]float32{-1}, x[1:]...)); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.safetensors")
	ck := checkpoint.New()
	ck.Tensors["params/w"] = checkpoint.Tensor{Shape: []int{1}, Data: []float32{1}}
	if err := checkpoint.Save(plain, ck); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"rows as samples":    {"--classifier", clf, "--data", set, "--samples", bad},
		"values outside":     {"--classifier", clf, "--data", set, "--samples", outside},
		"other image shape":  {"--classifier", saveRandomClassifier(t, 16), "--data", set, "--samples", samples},
		"not a classifier":   {"--classifier", plain, "--data", set, "--samples", samples},
		"no data set":        {"--classifier", clf, "--samples", samples},
		"missing data set":   {"--classifier", clf, "--data", filepath.Join(dir, "nowhere"), "--samples", samples},
		"floor for points":   {"--config", "../../configs/vp_dsm.toml", "--samples", samples, "--floor"},
		"batch without clf":  {"--config", "../../configs/vp_dsm.toml", "--samples", samples, "--batch", "3"},
		"zero batch":         {"--classifier", clf, "--data", set, "--samples", samples, "--batch", "0"},
		"no samples":         {"--classifier", clf, "--data", set},
		"classifier missing": {"--classifier", filepath.Join(dir, "none"), "--data", set, "--samples", samples},
	} {
		code, out, errs := runCmd(t, append([]string{"eval"}, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line", name, code, out, errs)
		} else {
			t.Logf("%s: %s", name, strings.TrimSpace(errs))
		}
	}
}

// TestEvalImagesFromConfig: the data set comes from the config
// (score_sde's data.dataset CIFAR10, data.path its folder).
func TestEvalImagesFromConfig(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		raw := make([]byte, 3*(1+3072))
		for i := range 3 {
			raw[i*3073] = byte(r.IntN(10))
			for j := 1; j < 3073; j++ {
				raw[i*3073+j] = byte(r.IntN(256))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clf := saveClassifierRun(t, model.ClassifierConfig{NF: 4, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 10,
		ImageSize: 32, NumChannels: 3, Centered: true})
	samples := filepath.Join(t.TempDir(), "s.npy")
	x := make([]float32, 4*3072)
	for i := range x {
		x[i] = r.Float32()
	}
	if err := saveArray(samples, []int{4, 3, 32, 32}, x); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "eval", "--config", "../../configs/score_sde/vp/ddpm/cifar10_continuous.toml", "--set", "data.path="+dir,
		"--classifier", clf, "--samples", samples, "--device", "cpu-reference")
	if !strings.Contains(out, "4 samples [3 32 32]") || !strings.Contains(out, "3 test images of cifar10") || !strings.Contains(out, "FID ") {
		t.Errorf("eval of CIFAR-10-shaped samples:\n%s", out)
	}
}
