package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleFastFlags: the few-step samplers run from the command line with
// their options and report their NFE; an option for another sampler is
// refused naming it.
func TestSampleFastFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.npy")
	base := []string{"sample", "--config", "../../configs/vp_dsm.toml", "--score", "oracle", "--device", "cpu-reference", "--n", "40", "--out", out}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sampler", "dpmpp2m", "--steps", "7"}, "NFE 7,"},
		{[]string{"--sampler", "unipc", "--steps", "5"}, "NFE 5,"}, // beta_max / 5 >= 1 concerns the discrete samplers only
		{[]string{"--sampler", "ddim", "--eta", "0.5", "--steps", "5", "--schedule", "logsnr"}, "logsnr schedule, eta 0.5"},
		{[]string{"--sampler", "heun", "--steps", "4", "--rho", "3"}, "NFE 7,"},
		{[]string{"--sampler", "edm-sde", "--steps", "4", "--s-churn", "10"}, "s_churn 10"},
		{[]string{"--sampler", "dpm", "--order", "2", "--steps", "3"}, "NFE 6,"},
		{[]string{"--sampler", "adaptive", "--rtol", "0.05", "--atol", "0.05"}, "rtol 0.05, atol 0.05"},
		{[]string{"--sampler", "em", "--steps", "10"}, "NFE 10,"}, // Euler-Maruyama needs no discrete betas
	} {
		code, stdout, stderr := runCmd(t, append(base, c.args...)...)
		if code != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want %q", c.args, code, stdout, stderr, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sampler", "dpmpp2m", "--eta", "0.5"}, "--eta"},
		{[]string{"--sampler", "heun", "--s-churn", "5"}, "--sampler edm-sde"},
		{[]string{"--sampler", "ddim", "--eta", "2"}, "sampling.eta"},
		{[]string{"--sampler", "heun", "--steps", "1"}, "--steps"},
		{[]string{"--sampler", "adaptive", "--steps", "10"}, "--rtol"},
		{[]string{"--sampler", "euler", "--schedule", "cosine"}, "sampling.schedule"},
		{[]string{"--sampler", "pc", "--order", "2"}, "--sampler dpm"},
		{[]string{"--sampler", "pc", "--steps", "10", "--predictor", "ancestral"}, "sampling.n_steps: beta_max / N = 2 must be < 1 for the discrete betas of N = 10 steps, needed by the ancestral_sampling predictor"},
		{[]string{"--sampler", "pc", "--steps", "10", "--corrector", "langevin"}, "needed by the langevin corrector"},
	} {
		code, _, stderr := runCmd(t, append(base, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q: want exit 2 naming %q", c.args, code, stderr, c.want)
		}
	}
}
