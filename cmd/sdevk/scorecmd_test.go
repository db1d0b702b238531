package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/checkpoint/torchckpt"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/sampling"
)

// writeScoreInputs writes n points of shape (n, d) and times in [1e-3, 1].
func writeScoreInputs(t *testing.T, dir string, n, d int) (xPath, tPath string, x, ts []float32) {
	t.Helper()
	x, ts = make([]float32, n*d), make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*1.3) * 2)
	}
	for i := range ts {
		ts[i] = float32(1e-3 + float64(i)/float64(n))
	}
	xPath, tPath = filepath.Join(dir, "x.npy"), filepath.Join(dir, "t.npy")
	if err := saveArray(xPath, []int{n, d}, x); err != nil {
		t.Fatal(err)
	}
	if err := saveArray(tPath, []int{n}, ts); err != nil {
		t.Fatal(err)
	}
	return xPath, tPath, x, ts
}

// A score_sde checkpoint imported and scored by the command gives, with
// either weight set, what the float64 reference computes from the
// checkpoint's own tensors.
func TestScoreOfImportedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.safetensors")
	mustRun(t, "import", "--from", "score_sde", "--checkpoint", mlpTorch, "--config", mlpTOML, "--out", ckpt)
	const n = 9
	xPath, tPath, x, ts := writeScoreInputs(t, dir, n, 2)
	src, err := torchckpt.Read(mlpTorch)
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(mlpTOML, nil)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := sampling.NetworkFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	var specs []torchckpt.Spec
	for _, p := range net.Params() {
		specs = append(specs, torchckpt.Spec{Name: p.Name, Shape: p.Shape, Frozen: p.Frozen})
	}
	raw, ema, err := src.Weights(specs)
	if err != nil {
		t.Fatal(err)
	}
	var prev []float32
	for set, w := range map[string]map[string]checkpoint.Tensor{"ema": ema, "model": raw} {
		out := filepath.Join(dir, set+".npy")
		mustRun(t, "score", "--checkpoint", ckpt, "--weights", set, "--x", xPath, "--t", tPath, "--out", out, "--batch", "4")
		shape, got, err := loadArray(out)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shape, []int{n, 2}) {
			t.Fatalf("%s: scores of shape %v, want [%d 2]", set, shape, n)
		}
		weights := map[string][]float32{}
		for name, tn := range w {
			weights[name] = tn.Data
		}
		ref := model.ReferenceScore(net, weights, 2)
		want := make([]float64, 2)
		for i := 0; i < n; i++ {
			ref([]float64{float64(x[2*i]), float64(x[2*i+1])}, float64(ts[i]), want)
			for j := range want {
				if math.Abs(float64(got[2*i+j])-want[j]) > 1e-4*(1+math.Abs(want[j])) {
					t.Fatalf("%s weights, point %d: %v, reference %v", set, i, got[2*i:2*i+2], want)
				}
			}
		}
		if prev != nil && slices.Equal(prev, got) {
			t.Error("the ema and model weights gave the same scores")
		}
		prev = got
	}
}

func TestScoreOracleCommand(t *testing.T) {
	dir := t.TempDir()
	xPath, tPath, x, ts := writeScoreInputs(t, dir, 5, 2)
	out := filepath.Join(dir, "s.npy")
	cfg := "../../configs/ve_dsm.toml"
	mustRun(t, "score", "--config", cfg, "--score", "oracle", "--x", xPath, "--t", tPath, "--out", out)
	_, got, err := loadArray(out)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := config.Load(cfg, nil)
	s, _ := c.NewSDE(0)
	o := data.NewOracle(data.EightGaussians(), s)
	want := make([]float64, 2)
	for i := range ts {
		o.Score([]float64{float64(x[2*i]), float64(x[2*i+1])}, float64(ts[i]), want)
		if got[2*i] != float32(want[0]) || got[2*i+1] != float32(want[1]) {
			t.Errorf("point %d: %v, want %v", i, got[2*i:2*i+2], want)
		}
	}
}

func TestScoreBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	xPath, tPath, _, _ := writeScoreInputs(t, dir, 4, 2)
	three := filepath.Join(dir, "three")
	os.Mkdir(three, 0o755)
	x3, _, _, _ := writeScoreInputs(t, three, 4, 3)
	t0 := filepath.Join(dir, "t0.npy")
	saveArray(t0, []int{4}, []float32{0.5, 0, 0.5, 0.5})
	tShort := filepath.Join(dir, "t3.npy")
	saveArray(tShort, []int{3}, []float32{0.5, 0.5, 0.5})
	os.WriteFile(filepath.Join(dir, "bad.npy"), []byte("not npy"), 0o644)
	oracle := []string{"--config", "../../configs/ve_dsm.toml", "--score", "oracle"}
	cases := []struct {
		args []string
		want string
	}{
		{append(oracle, "--x", xPath, "--t", tShort), "want (N, ...) and (N,)"},
		{append(oracle, "--x", xPath, "--t", t0), "t[1] = 0 is outside (0, 1]"},
		{append(oracle, "--x", x3, "--t", tPath), "points have 3 values each"},
		{append(oracle, "--x", filepath.Join(dir, "bad.npy"), "--t", tPath), "not a .npy file"},
		{append(oracle, "--x", xPath, "--t", tPath, "--weights", "model"), "--weights: only with --checkpoint"},
		{[]string{"--checkpoint", dir, "--weights", "best", "--x", xPath, "--t", tPath}, `--weights: "best"`},
	}
	for _, tc := range cases {
		out := filepath.Join(dir, "out.npy")
		args := append(append([]string{"score"}, tc.args...), "--out", out)
		code, _, errs := runCmd(t, args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("sdevk %s: exit %d, stderr %q; want 2 and one line containing %q", strings.Join(args, " "), code, errs, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("sdevk %s wrote %s", strings.Join(args, " "), out)
		}
	}
}

// score_sde's own checkpoints import with their config.json, and scored by
// the command they give score_sde's scores with both weight sets: max
// |sdevk - score_sde| <= 1e-3 max |score_sde| per sample (issue 10's bar).
// One fixture is scored here, for time; model's fixture test runs the four
// networks on the device.
func TestImportAndScoreScoreSDEFixtures(t *testing.T) {
	const fixtures = "../../checkpoint/torchckpt/testdata/score_sde"
	for _, name := range []string{"ddpm_vp", "ddpmpp_vp", "ncsnpp_ve", "ncsnpp_subvp"} {
		t.Run(name, func(t *testing.T) {
			dir, tmp := filepath.Join(fixtures, name), filepath.Join(t.TempDir(), "new") // import makes the folder
			ckpt := filepath.Join(tmp, "m.safetensors")
			got := mustRun(t, "import", "--from", "score_sde", "--checkpoint", filepath.Join(dir, "checkpoint.pth"),
				"--config", filepath.Join(dir, "config.json"), "--out", ckpt)
			if !strings.Contains(got, "config as TOML -> "+filepath.Join(tmp, "m.toml")) {
				t.Errorf("import did not report the TOML it wrote: %q", got)
			}
			if _, err := config.Load(filepath.Join(tmp, "m.toml"), nil); err != nil {
				t.Errorf("the TOML written beside the checkpoint does not load: %v", err)
			}
			if name != "ddpmpp_vp" {
				return
			}
			for _, set := range []string{"ema", "model"} {
				out := filepath.Join(tmp, set+".npy")
				mustRun(t, "score", "--checkpoint", ckpt, "--weights", set, "--x", filepath.Join(dir, "x.npy"),
					"--t", filepath.Join(dir, "t.npy"), "--out", out)
				shape, got, err := loadArray(out)
				if err != nil {
					t.Fatal(err)
				}
				wantShape, want, err := loadArray(filepath.Join(dir, "score_"+set+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(shape, wantShape) {
					t.Fatalf("%s: scores of shape %v, score_sde's %v", set, shape, wantShape)
				}
				d := len(want) / shape[0]
				worst := 0.0
				for s := 0; s < shape[0]; s++ {
					var diff, scale float64
					for i := s * d; i < (s+1)*d; i++ {
						diff = math.Max(diff, math.Abs(float64(got[i]-want[i])))
						scale = math.Max(scale, math.Abs(float64(want[i])))
					}
					worst = math.Max(worst, diff/scale)
				}
				t.Logf("%s weights: max |sdevk - score_sde| / max |score_sde| per sample %.2e", set, worst)
				if worst > 1e-3 {
					t.Errorf("%s weights: %.2e of score_sde's largest score, want <= 1e-3", set, worst)
				}
			}
			// The imported U-Net samples images of its own shape (C, H, W),
			// written in [0, 1] whatever its training range.
			samples := filepath.Join(tmp, "samples.npy")
			got = mustRun(t, "sample", "--checkpoint", ckpt, "--n", "2", "--steps", "25", "--sampler", "em", "--out", samples)
			if !strings.Contains(got, "(2, 3, 16, 16) float32 in [0, 1]") {
				t.Errorf("sample of the imported U-Net printed %q, want (2, 3, 16, 16) images", got)
			}
			shape, x, err := loadArray(samples)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(shape, []int{2, 3, 16, 16}) || slices.Min(x) < 0 || slices.Max(x) > 1 {
				t.Errorf("samples.npy: shape %v, values in [%v, %v]; want (2, 3, 16, 16) in [0, 1]", shape, slices.Min(x), slices.Max(x))
			}
		})
	}
}
