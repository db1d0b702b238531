package main

import (
	"strings"
	"testing"
)

func TestModelCommand(t *testing.T) {
	out := mustRun(t, "model", "--config", "../../configs/score_sde/vp/ddpm/cifar10_continuous.toml", "--batch", "8")
	for _, want := range []string{"parameters 35218947\n", "input [8 3 32 32]", "all_modules.0", "ResnetBlockDDPM", "AttnBlock", "activations at batch 8:"} {
		if !strings.Contains(out, want) {
			t.Errorf("sdevk model output lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "model", "--config", toyConfig); !strings.Contains(out, "model mlp on 2-dimensional data\nparameters ") {
		t.Errorf("sdevk model on the toy config:\n%s", out)
	}
	code, _, errs := runCmd(t, "model", "--config", "../../configs/score_sde/vp/ddpm/cifar10_continuous.toml", "--set", "model.nf=12")
	if code != 2 || !strings.Contains(errs, "model.nf") {
		t.Errorf("nf 12 with DDPM's 32 groups: exit %d, stderr %q", code, errs)
	}
}
