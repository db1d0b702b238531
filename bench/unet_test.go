package bench

import (
	"errors"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// TestUNetParams: the bench's DDPM++ cases have score_sde's parameter
// counts.
func TestUNetParams(t *testing.T) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unetCase{mnistUNet(), cifarUNet()} {
		net, err := model.NewUNet(vp, c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if n := countParams(net.Params()); n != c.params {
			t.Errorf("%s: %d parameters, want %d", c.shape(), n, c.params)
		}
	}
}

// TestTorchUNet: the PyTorch reference builds the same parameter count
// and times both runs (a batch of 2, once), where python3 has torch
// (importing torch takes seconds: not with -short).
func TestTorchUNet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PyTorch")
	}
	t.Setenv("SDEVK_TORCH_PYTHON", "none")
	small := mnistUNet()
	small.batch = 2
	if _, _, err := runTorchUNet(small, false, 1, 0); !errors.Is(err, errSkipTorch) {
		t.Errorf("SDEVK_TORCH_PYTHON=none: %v, want %v", err, errSkipTorch)
	}
	t.Setenv("SDEVK_TORCH_PYTHON", "")
	res, _, err := runTorchUNet(small, false, 1, 0)
	if err != nil && strings.Contains(err.Error(), "no python3 with torch") {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Parameters != small.params || len(res.TrainMs) != 1 || len(res.ScoreMs) != 1 || !(res.TrainMs[0] > 0) {
		t.Errorf("torch_unet.py: %+v, want %d parameters and one time each", res, small.params)
	}
}
