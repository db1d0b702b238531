package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An image model's likelihood is score_sde's bits/dim on the test split:
// finite per image, with its mean and standard error; bad --first is
// refused in one line.
func TestImageLikelihoodBitsPerDim(t *testing.T) {
	set := t.TempDir()
	writeIDX(t, set, "train", 16)
	writeIDX(t, set, "t10k", 8)
	cfg := writeConfig(t, strings.Replace(tinyImageConfig(set), "eval_freq = 2", "eval_freq = 0", 1))
	run := filepath.Join(t.TempDir(), "run")
	mustRun(t, "train", "--config", cfg, "--out", run, "--steps", "2", "--no-sample")
	out := filepath.Join(t.TempDir(), "bpd.json")
	got := mustRun(t, "likelihood", "--checkpoint", run, "--first", "2", "--n", "3", "--rtol", "1e-3", "--atol", "1e-3", "--out", out)
	if !strings.Contains(got, "bits/dim of test images 2..4") {
		t.Errorf("likelihood printed %q", got)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep imageLikelihoodReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.N != 3 || rep.First != 2 || rep.Dim != 64 || len(rep.BitsPerDim) != 3 {
		t.Fatalf("report %+v", rep)
	}
	mean, _ := meanStdErr(rep.BitsPerDim)
	for _, b := range rep.BitsPerDim {
		// An untrained model is far from the data, but its density is a
		// density: a positive, finite code length.
		if !(b > 0) || math.IsInf(b, 0) {
			t.Errorf("bits/dim %v", rep.BitsPerDim)
		}
	}
	if math.Abs(mean-rep.MeanBPD) > 1e-12 || !(rep.StdErrBPD > 0) {
		t.Errorf("mean %v +- %v, want %v and a positive error", rep.MeanBPD, rep.StdErrBPD, mean)
	}
	code, _, errs := runCmd(t, "likelihood", "--checkpoint", run, "--first", "8")
	if code != 2 || !strings.Contains(errs, "--first: 8, the test images are 0..7") {
		t.Errorf("--first 8: exit %d, stderr %q", code, errs)
	}
}

func TestMeanStdErr(t *testing.T) {
	m, se := meanStdErr([]float64{1, 2, 3, 4})
	if m != 2.5 || math.Abs(se-math.Sqrt(5.0/3)/2) > 1e-12 {
		t.Errorf("mean %v, standard error %v", m, se)
	}
}
