package model

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/sbinet/npyio"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/checkpoint/torchckpt"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// scoreSDEFixtures holds score_sde's checkpoints with the scores its own
// code computes (see the README.md there); the checkpoint reader's tests
// use the same files.
var scoreSDEFixtures = filepath.Join("..", "checkpoint", "torchckpt", "testdata", "score_sde")

// scoreSDEConfig is the part of a score_sde config.json a U-Net needs.
type scoreSDEConfig struct {
	Training struct {
		SDE string `json:"sde"`
	} `json:"training"`
	Data struct {
		ImageSize   int  `json:"image_size"`
		NumChannels int  `json:"num_channels"`
		Centered    bool `json:"centered"`
	} `json:"data"`
	Model struct {
		Name               string    `json:"name"`
		NF                 int       `json:"nf"`
		ChMult             []int     `json:"ch_mult"`
		NumResBlocks       int       `json:"num_res_blocks"`
		AttnResolutions    []int     `json:"attn_resolutions"`
		Dropout            float64   `json:"dropout"`
		ResampWithConv     bool      `json:"resamp_with_conv"`
		Conditional        bool      `json:"conditional"`
		FIR                bool      `json:"fir"`
		FIRKernel          []float64 `json:"fir_kernel"`
		SkipRescale        bool      `json:"skip_rescale"`
		ResblockType       string    `json:"resblock_type"`
		Progressive        string    `json:"progressive"`
		ProgressiveInput   string    `json:"progressive_input"`
		ProgressiveCombine string    `json:"progressive_combine"`
		EmbeddingType      string    `json:"embedding_type"`
		FourierScale       float64   `json:"fourier_scale"`
		InitScale          float64   `json:"init_scale"`
		ConvSize           int       `json:"conv_size"`
		Nonlinearity       string    `json:"nonlinearity"`
		ScaleBySigma       bool      `json:"scale_by_sigma"`
		SigmaMin           float64   `json:"sigma_min"`
		SigmaMax           float64   `json:"sigma_max"`
		BetaMin            float64   `json:"beta_min"`
		BetaMax            float64   `json:"beta_max"`
		NumScales          int       `json:"num_scales"`
	} `json:"model"`
}

// fixtureNet builds the U-Net and SDE of a fixture's config.json.
func fixtureNet(t *testing.T, dir string) *UNet {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sc scoreSDEConfig
	if err := json.Unmarshal(raw, &sc); err != nil {
		t.Fatal(err)
	}
	m := sc.Model
	kinds := map[string]sde.Kind{"vesde": sde.KindVE, "vpsde": sde.KindVP, "subvpsde": sde.KindSubVP}
	s, err := sde.New(sde.Params{Kind: kinds[sc.Training.SDE], SigmaMin: m.SigmaMin, SigmaMax: m.SigmaMax,
		BetaMin: m.BetaMin, BetaMax: m.BetaMax, N: m.NumScales})
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewUNet(s, UNetConfig{
		Name: m.Name, NF: m.NF, ChMult: m.ChMult, NumResBlocks: m.NumResBlocks, AttnResolutions: m.AttnResolutions,
		Dropout: m.Dropout, ResampWithConv: m.ResampWithConv, Conditional: m.Conditional, FIR: m.FIR,
		FIRKernel: m.FIRKernel, SkipRescale: m.SkipRescale, ResblockType: m.ResblockType, Progressive: m.Progressive,
		ProgressiveInput: m.ProgressiveInput, ProgressiveCombine: m.ProgressiveCombine, EmbeddingType: m.EmbeddingType,
		FourierScale: m.FourierScale, InitScale: m.InitScale, ConvSize: 3, Nonlinearity: m.Nonlinearity,
		ScaleBySigma: m.ScaleBySigma, ImageSize: sc.Data.ImageSize, NumChannels: sc.Data.NumChannels,
		Centered: sc.Data.Centered,
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// readNPY32 reads a float32 .npy of any shape.
func readNPY32(t *testing.T, path string) ([]float32, []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var v []float32
	if err := r.Read(&v); err != nil {
		t.Fatal(err)
	}
	return v, r.Header.Descr.Shape
}

func float64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// maxRelPerSample returns, over the samples, the largest max|got - want| /
// max|want| of one sample.
func maxRelPerSample[T float32 | float64](got []T, want []float32, samples int) float64 {
	d := len(want) / samples
	worst := 0.0
	for s := range samples {
		var diff, scale float64
		for i := s * d; i < (s+1)*d; i++ {
			diff = math.Max(diff, math.Abs(float64(got[i])-float64(want[i])))
			scale = math.Max(scale, math.Abs(float64(want[i])))
		}
		worst = math.Max(worst, diff/scale)
	}
	return worst
}

// TestScoreSDEFixtures runs score_sde's checkpoints: the parameters of the
// checkpoint are the network's, by name, shape and order, and the score of
// both weight sets, on the device and on the float64 reference executor,
// is within 1e-3 of each sample's largest score of score_sde's own result
// (the reference executor runs the EMA weights only, for time).
func TestScoreSDEFixtures(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	for _, name := range []string{"ddpm_vp", "ddpmpp_vp", "ncsnpp_ve", "ncsnpp_subvp"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(scoreSDEFixtures, name)
			u := fixtureNet(t, dir)
			ck, err := torchckpt.Read(filepath.Join(dir, "checkpoint.pth"))
			if err != nil {
				t.Fatal(err)
			}
			checkParamOrder(t, u, ck)
			var specs []torchckpt.Spec
			for _, p := range u.Params() {
				specs = append(specs, torchckpt.Spec{Name: p.Name, Shape: p.Shape, Frozen: p.Frozen})
			}
			raw, ema, err := ck.Weights(specs)
			if err != nil {
				t.Fatal(err)
			}
			x, xs := readNPY32(t, filepath.Join(dir, "x.npy"))
			ts, _ := readNPY32(t, filepath.Join(dir, "t.npy"))
			g := graph.New()
			xn, tn := g.Input("x", xs...), g.Input("t", xs[0])
			out := u.Build(g, xn, tn)
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			e := vkexec.New(dev)
			defer e.Params.Release()
			for i, w := range []struct {
				file   string
				values map[string]checkpoint.Tensor
			}{{"score_ema.npy", ema}, {"score_model.npy", raw}} {
				want, _ := readNPY32(t, filepath.Join(dir, w.file))
				got := deviceScore(t, e, u, w.values, out, x, ts)
				devErr := maxRelPerSample(got, want, xs[0])
				if devErr > 1e-3 {
					t.Errorf("%s: device: max |sdevk - score_sde| / max |score_sde| per sample %.2e, want <= 1e-3", w.file, devErr)
				}
				if i > 0 {
					t.Logf("%s: max |sdevk - score_sde| / max |score_sde| per sample: device %.2e", w.file, devErr)
					continue // the float64 reference is slow: once per fixture is enough
				}
				ref := graph.NewReference()
				for n, v := range w.values {
					ref.Params[n] = float64s(v.Data)
				}
				res, err := ref.Run(graph.Feeds{xn: float64s(x), tn: float64s(ts)}, out)
				if err != nil {
					t.Fatal(err)
				}
				refErr := maxRelPerSample(res[0], want, xs[0])
				t.Logf("%s: max |sdevk - score_sde| / max |score_sde| per sample: device %.2e, float64 reference %.2e", w.file, devErr, refErr)
				if refErr > 1e-3 {
					t.Errorf("%s: float64 reference: max |sdevk - score_sde| / max |score_sde| per sample %.2e, want <= 1e-3", w.file, refErr)
				}
			}
		})
	}
}

// checkParamOrder: the network's parameters are the checkpoint's, in the
// same order (which pairs the EMA's shadow_params list).
func checkParamOrder(t *testing.T, u *UNet, ck *torchckpt.ScoreSDE) {
	t.Helper()
	ps := ck.Params()
	specs := u.Params()
	if len(ps) != len(specs) {
		t.Fatalf("%d parameters in the checkpoint, %d in the network", len(ps), len(specs))
	}
	for i, p := range ps {
		if p.Name != specs[i].Name || fmt.Sprint(p.Shape) != fmt.Sprint(specs[i].Shape) {
			t.Fatalf("parameter %d: checkpoint %s %v, network %s %v", i, p.Name, p.Shape, specs[i].Name, specs[i].Shape)
		}
	}
}

// deviceScore runs out on the Vulkan device with the given weights.
func deviceScore(t *testing.T, e *vkexec.Executor, u *UNet, w map[string]checkpoint.Tensor, out *graph.Node, x, ts []float32) []float32 {
	t.Helper()
	for _, p := range u.Params() {
		if err := e.Params.Set(p.Name, p.Shape, w[p.Name].Data); err != nil {
			t.Fatal(err)
		}
	}
	prog, err := e.Compile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Release()
	if err := prog.SetInput("x", x); err != nil {
		t.Fatal(err)
	}
	if err := prog.SetInput("t", ts); err != nil {
		t.Fatal(err)
	}
	if err := prog.Run(0, 0); err != nil {
		t.Fatal(err)
	}
	got, err := prog.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
