package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestScoreSDEConfigs builds every shipped score_sde CIFAR-10 config (no
// weights), checks its parameter count against score_sde's and builds its
// score graph.
func TestScoreSDEConfigs(t *testing.T) {
	for _, c := range []struct {
		file   string
		sde    string
		params int
	}{
		{"vp/ddpm/cifar10_continuous.toml", "vp", 35_218_947},
		{"vp/cifar10_ddpmpp_continuous.toml", "vp", 61_804_419},
		{"ve/cifar10_ncsnpp_continuous.toml", "ve", 62_758_915},
		{"subvp/cifar10_ncsnpp_continuous.toml", "subvp", 62_693_251},
		{"ve/cifar10_ncsnpp_deep_continuous.toml", "ve", 107_587_075},
	} {
		t.Run(c.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("..", "configs", "score_sde", c.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.SDE.Kind != c.sde || cfg.Optim.Optimizer != "adam" {
				t.Errorf("sde.kind %q optimizer %q, want %q and adam", cfg.SDE.Kind, cfg.Optim.Optimizer, c.sde)
			}
			s, err := cfg.NewSDE(0)
			if err != nil {
				t.Fatal(err)
			}
			net, err := cfg.NewUNet(s)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range net.Params() {
				n += p.Size()
			}
			if n != c.params {
				t.Errorf("%d parameters, score_sde has %d", n, c.params)
			}
			// The whole graph builds (shapes only, nothing runs).
			if _, err := net.Summarise(1); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestScoreSDEKeyErrors: bad U-Net values name the file, line and key.
func TestScoreSDEKeyErrors(t *testing.T) {
	const base = "[training]\nsde = \"vpsde\"\n[model]\nname = \"ncsnpp\"\nnf = 16\nch_mult = [1, 2]\nattn_resolutions = [16]\n"
	for _, c := range []struct{ src, want string }{
		{base + "resblock_type = \"bigan\"\n", `u.toml:8: model.resblock_type: unknown value "bigan" (want ddpm | biggan)`},
		{base + "progressive = \"skip\"\n", `u.toml:8: model.progressive: unknown value "skip"`},
		{base + "conv_size = 5\n", `u.toml:8: model.conv_size:`},
		{base + "normalization = \"InstanceNorm\"\n", `u.toml:8: model.normalization:`},
		{"[model]\nname = \"ncsnpp\"\nnf = 18\n", "u.toml:3: model.nf: all_modules.4.GroupNorm_0: 18 channels do not split into 4 GroupNorm groups"},
		{base + "[data]\nimage_size = 15\n", `u.toml:9: data.image_size: 15 must be divisible by 2^1`},
		{base + "[data]\ndataset = \"IMAGENET\"\n", `u.toml:9: data.dataset: unknown dataset "IMAGENET"`},
		{"[training]\nsde = \"vp\"\n", `u.toml:2: training.sde: unknown SDE "vp" (want vesde | vpsde | subvpsde)`},
		{"[training]\nsde = \"vesde\"\n[sde]\nkind = \"vp\"\n", `u.toml:2: training.sde: "vesde" disagrees with sde.kind = "vp"`},
		{"[model]\nsigma_max = 50\n[sde]\nsigma_max = 20.0\n", `u.toml:2: model.sigma_max: 50 disagrees with sde.sigma_max = 20`},
		{"[training]\ncontinuous = false\n[model]\nname = \"ddpm\"\nnf = 32\n", "u.toml:2: training.continuous: sdevk runs score_sde's U-Nets with continuous time labels"},
		{"[model]\nname = \"unet\"\n", `model.name: unknown model "unet" (want mlp | ddpm | ncsnpp | classifier)`},
		{"[model]\nn_f = 3\n", `unknown key (did you mean model.nf?)`},
	} {
		_, err := Parse("u.toml", []byte(c.src), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config\n%s\nerror %v, want it to contain %q", c.src, err, c.want)
		}
	}
}

// TestScoreSDEKeysMoveToSDE: score_sde's [model] SDE constants and
// training.sde set [sde].
func TestScoreSDEKeysMoveToSDE(t *testing.T) {
	c, err := Parse("u.toml", []byte("[training]\nsde = \"subvpsde\"\n[model]\nbeta_max = 15.0\nnum_scales = 500\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SDE.Kind != "subvp" || c.SDE.BetaMax != 15 || c.SDE.NumScales != 500 {
		t.Errorf("sde %+v", c.SDE)
	}
	if c.IsUNet() {
		t.Error("the default model is the MLP")
	}
}
