package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
)

// TestSNRImpliesCorrector: --snr on a config whose corrector is none adds the
// Langevin corrector, with a note; where it cannot take effect, the error
// names the flag to change.
func TestSNRImpliesCorrector(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.npy")
	code, stdout, stderr := runCmd(t, "sample", "--config", "../../configs/vp_dsm.toml", "--score", "oracle",
		"--device", "cpu-reference", "--snr", "0.16", "--n", "50", "--steps", "30", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "--snr implies --corrector langevin") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q: want one note that --snr implies the Langevin corrector", stderr)
	}
	if !strings.Contains(stdout, "langevin, snr 0.16") {
		t.Errorf("stdout %q: the sampler does not use the Langevin corrector at snr 0.16", stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--corrector", "none", "--snr", "0.1"}, "--corrector langevin"},
		{[]string{"--set", "sampling.corrector=none", "--snr", "0.1"}, "--corrector langevin"},
		{[]string{"--sampler", "em", "--snr", "0.1"}, "add --sampler pc"},
		{[]string{"--sampler", "em", "--predictor", "none"}, "add --sampler pc"},
		{[]string{"--sampler", "pc", "--step-size", "0.1"}, "add --sampler ald"},
		{[]string{"--sampler", "pc", "--rtol", "1e-3"}, "add --sampler ode"},
		{[]string{"--sampler", "ode", "--set", "sampling.ode_solver=heun", "--rtol", "1e-3"}, "sampling.ode_solver=rk45"},
	} {
		args := append([]string{"sample", "--config", "../../configs/vp_dsm.toml", "--score", "oracle",
			"--device", "cpu-reference", "--n", "20", "--out", out}, c.args...)
		code, _, stderr := runCmd(t, args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q: want exit 2 naming %q", c.args, code, stderr, c.want)
		}
	}
}

// TestTrainPapercuts: --resume in a fresh directory starts afresh with one
// line on stderr; a short run samples at most config.ShortRunSamples points;
// --no-sample draws none; progress in a log is plain lines, no carriage
// returns.
func TestTrainPapercuts(t *testing.T) {
	cfg := writeConfig(t, strings.Replace(strings.Replace(tinyConfig, "n_iters = 20", "n_iters = 4", 1), "n_samples = 100\n", "", 1))
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh")
	code, _, stderr := runCmd(t, "train", "--config", cfg, "--out", fresh, "--resume", "--device", "cpu-reference")
	if code != 0 {
		t.Fatalf("--resume in a fresh directory: exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "starting a fresh run"); n != 1 {
		t.Errorf("stderr %q: want one line saying the run starts afresh", stderr)
	}
	if strings.Contains(stderr, "\r") || !strings.Contains(stderr, "train: step 4/4") {
		t.Errorf("stderr %q: want plain progress lines ending at step 4/4, no carriage returns", stderr)
	}
	pts, err := data.LoadNPY(filepath.Join(fresh, "samples.npy"))
	if err != nil || pts.N != config.ShortRunSamples {
		t.Errorf("a 4-step run sampled %+v (%v), want %d points", pts, err, config.ShortRunSamples)
	}

	quiet := filepath.Join(dir, "quiet")
	mustRun(t, "train", "--config", cfg, "--out", quiet, "--device", "cpu-reference", "--no-sample")
	if _, err := os.Stat(filepath.Join(quiet, "samples.npy")); !os.IsNotExist(err) {
		t.Errorf("--no-sample wrote samples.npy (%v)", err)
	}
	if code, _, stderr := runCmd(t, "train", "--config", cfg, "--out", filepath.Join(dir, "x"), "--no-sample", "--samples", "5"); code != 2 || !strings.Contains(stderr, "--no-sample") {
		t.Errorf("--no-sample --samples 5: exit %d, %q", code, stderr)
	}
}
