package scoresde

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/checkpoint/torchckpt"
	"github.com/sdevk/sdevk/sde/sampling"
)

const (
	mlpCheckpoint = "../torchckpt/testdata/mlp.pth" // written by gen_tiny.py
	mlpConfig     = "testdata/mlp.toml"
	fixtures      = "../torchckpt/testdata/score_sde"
)

// mlpNetwork builds the config's network.
var mlpNetwork = sampling.NetworkFromConfig

func TestImportMLP(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mlp.safetensors")
	res, err := Import(Options{Checkpoint: mlpCheckpoint, Config: mlpConfig, Out: out}, mlpNetwork)
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 42 || res.Params != 9 || res.Trainable != 8 || res.ConfigPath != "" {
		t.Errorf("result %+v, want step 42, 9 parameters, 8 trainable, no TOML written", res)
	}
	got, err := checkpoint.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	src, err := torchckpt.Read(mlpCheckpoint)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range src.Params() {
		raw, ok := got.Tensors["params/"+e.Name]
		if !ok || !slices.Equal(raw.Data, e.Data) || !slices.Equal(raw.Shape, e.Shape) {
			t.Errorf("params/%s differs from the checkpoint's %s", e.Name, e.Name)
		}
		ema, hasEMA := got.Tensors["ema/"+e.Name]
		if e.Name == "score.temb.fourier" {
			if hasEMA {
				t.Errorf("the frozen %s has an EMA", e.Name)
			}
			continue
		}
		// shadow_params skip the frozen first parameter.
		if !hasEMA || !slices.Equal(ema.Data, src.EMA[i-1].Data) {
			t.Errorf("ema/%s is not shadow_params[%d]", e.Name, i-1)
		}
	}
	if _, ok := got.Tensors["params/sigmas"]; ok {
		t.Error("the buffer sigmas was imported as a parameter")
	}
	if got.Meta["step"] != "42" || !strings.Contains(got.Meta["config"], `hidden = 8`) {
		t.Errorf("metadata step %q, config %q", got.Meta["step"], got.Meta["config"])
	}
}

// Bad input: a one-line error naming the problem, and no file written.
func TestImportRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	notCkpt := filepath.Join(dir, "notes.pth")
	os.WriteFile(notCkpt, []byte("not a checkpoint"), 0o644)
	wide := filepath.Join(dir, "wide.toml")
	src, _ := os.ReadFile(mlpConfig)
	os.WriteFile(wide, []byte(strings.Replace(string(src), "hidden = 8", "hidden = 16", 1)), 0o644)
	truncated := filepath.Join(dir, "cut.pth")
	raw, _ := os.ReadFile(mlpCheckpoint)
	os.WriteFile(truncated, raw[:len(raw)-100], 0o644)
	cases := []struct {
		name, ckpt, cfg, want string
	}{
		{"not a checkpoint", notCkpt, mlpConfig, "not a torch.save zip archive"},
		{"truncated", truncated, mlpConfig, "not a torch.save zip archive"},
		{"shape mismatch", mlpCheckpoint, wide, "parameter score.temb.0.w has shape [4 8] in the checkpoint, [4 16] in the config's model"},
		{"another model", "../torchckpt/testdata/tiny.pth", mlpConfig, "the checkpoint has no parameter score.temb.fourier"},
		{"missing config", mlpCheckpoint, filepath.Join(dir, "absent.toml"), "no such file"},
	}
	for _, tc := range cases {
		out := filepath.Join(dir, "out", "m.safetensors")
		_, err := Import(Options{Checkpoint: tc.ckpt, Config: tc.cfg, Out: out}, mlpNetwork)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Import = %v, want one line containing %q", tc.name, err, tc.want)
		}
		if _, err := os.Stat(filepath.Dir(out)); !os.IsNotExist(err) {
			t.Errorf("%s: a failed import wrote %s", tc.name, filepath.Dir(out))
		}
	}
}

// score_sde's JSON config becomes TOML with the same sections, keys and values.
func TestConfigTOMLKeepsScoreSDEKeys(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(fixtures, "ncsnpp_ve", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := ConfigTOML("config.json", src)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if _, err := toml.Decode(string(text), &got); err != nil {
		t.Fatalf("the TOML does not parse: %v\n%s", err, text)
	}
	if _, ok := got["eval"]; ok || !strings.Contains(string(text), "Left out (not sdevk config sections): eval.") {
		t.Error("the eval section was not left out with a note")
	}
	m, _ := got["model"].(map[string]any)
	checks := map[string]any{"name": "ncsnpp", "nf": int64(16), "sigma_max": int64(50), "beta_max": 20.0,
		"scale_by_sigma": true, "progressive_input": "residual"}
	for k, want := range checks {
		if m[k] != want {
			t.Errorf("model.%s = %#v, want %#v", k, m[k], want)
		}
	}
	if ch, _ := m["ch_mult"].([]any); len(ch) != 2 || ch[0] != int64(1) || ch[1] != int64(2) {
		t.Errorf("model.ch_mult = %v, want [1, 2]", m["ch_mult"])
	}
	if tr, _ := got["training"].(map[string]any); tr["sde"] != "vesde" || got["seed"] != int64(42) {
		t.Errorf("training.sde %v, seed %v", tr["sde"], got["seed"])
	}
	for _, bad := range []string{`[1, 2]`, `{"model": {}}`, `{"data":{},"model":{},"training":{},"sampling":{},"optim":{"x":{"y":1}}}`} {
		if _, err := ConfigTOML("bad.json", []byte(bad)); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("ConfigTOML(%s) = %v, want a one-line error", bad, err)
		}
	}
}
