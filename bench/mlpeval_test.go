package bench

import (
	"strings"
	"testing"

	"github.com/sdevk/sdevk/sde"
)

// demoMLPParams is the parameter count of configs/vp_dsm.toml's MLP:
// embedding 64*128+128 and 128*128+128, first layer (2+128)*128+128, two
// more of 128*128+128, output 128*2+2.
const demoMLPParams = 74882

func TestDemoMLPParams(t *testing.T) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	net, err := demoMLP(vp)
	if err != nil {
		t.Fatal(err)
	}
	if n := countParams(net.Params()); n != demoMLPParams {
		t.Errorf("the demo's MLP has %d parameters, want %d", n, demoMLPParams)
	}
}

// TestTorchMLP: the PyTorch reference builds the same parameter count and
// times one step and one evaluation of a small batch, where python3 has
// torch (importing torch takes seconds: not with -short).
func TestTorchMLP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PyTorch")
	}
	var res torchMLPResult
	_, err := runTorchScript("torch_mlp.py", torchMLPScript, []string{"--batch", "16", "--repeats", "1", "--warmup", "0"}, &res)
	if err != nil && (strings.Contains(err.Error(), "no python3 with torch") || err == errSkipTorch) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Parameters != demoMLPParams || len(res.StepMs) != 1 || len(res.EvalMs) != 1 || !(res.StepMs[0] > 0) || res.StepCPUMs < 0 {
		t.Errorf("torch_mlp.py: %+v, want %d parameters and one time each", res, demoMLPParams)
	}
}
