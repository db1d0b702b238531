package config

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
)

// issueExample is the [data] / [sde] form of issue 4, verbatim.
const issueExample = `[data]
kind = "gmm"
[[data.components]]
weight = 0.8
mean = [5.0, 5.0]
std = 1.0
[[data.components]]
weight = 0.2
mean = [-5.0, -5.0]
cov = [[1.0, 0.2], [0.2, 0.5]]
[sde]
kind = "ve"          # "ve" | "vp" | "subvp"
sigma_min = 0.01
sigma_max = 20.0
beta_min = 0.1
beta_max = 20.0
`

func TestIssueExample(t *testing.T) {
	c, err := Parse("issue.toml", []byte(issueExample), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Data.Kind != "gmm" || len(c.Data.Components) != 2 || c.Data.Components[1].Cov[1][0] != 0.2 || c.Data.Components[0].Std != 1 {
		t.Fatalf("data %+v", c.Data)
	}
	g, err := c.GMM()
	if err != nil || g.K() != 2 || g.Weight(0) != 0.8 {
		t.Fatalf("gmm %v %v", g, err)
	}
	s, err := c.NewSDE(0)
	if err != nil {
		t.Fatal(err)
	}
	ve := s.(*sde.VE)
	if ve.SigmaMax != 20 || s.N() != 1000 {
		t.Errorf("sde %+v", ve)
	}
}

func TestDefaults(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key       string
		got, want any
	}{
		{"sde.sigma_min", c.SDE.SigmaMin, 0.01}, {"sde.sigma_max", c.SDE.SigmaMax, 50.0},
		{"sde.beta_min", c.SDE.BetaMin, 0.1}, {"sde.beta_max", c.SDE.BetaMax, 20.0},
		{"sde.num_scales", c.SDE.NumScales, 1000},
		{"optim.lr", c.Optim.LR, 2e-4}, {"optim.beta1", c.Optim.Beta1, 0.9}, {"optim.eps", c.Optim.Eps, 1e-8},
		{"optim.warmup", c.Optim.Warmup, 5000}, {"optim.grad_clip", c.Optim.GradClip, 1.0},
		{"training.batch_size", c.Training.BatchSize, 128}, {"training.loss", c.Training.Loss, "dsm"},
		{"training.eps", c.Training.Eps, 1e-5},
		{"model.ema_rate", c.Model.EMARate, 0.999}, {"model.embedding", c.Model.Embedding, "fourier"},
		{"model.fourier_scale", c.Model.FourierScale, 16.0},
		{"sampling.snr", c.Sampling.SNR, 0.16}, {"sampling.n_steps_each", c.Sampling.NStepsEach, 1},
		{"sampling.noise_removal", c.Sampling.NoiseRemoval, true},
		{"sampling.predictor", c.Sampling.Predictor, "reverse_diffusion"},
		{"sampling.corrector", c.Sampling.Corrector, "langevin"},
		{"sampling.rtol", c.Sampling.RTol, 1e-5}, {"sampling.atol", c.Sampling.ATol, 1e-5},
		{"sampling.eps", c.Sampling.Eps, 1e-5},
		{"likelihood.eps", c.Likelihood.Eps, 1e-5},
	}
	for _, k := range cases {
		if k.got != k.want {
			t.Errorf("%s = %v, want %v", k.key, k.got, k.want)
		}
	}
}

func TestKindDependentDefaults(t *testing.T) {
	c, err := Parse("vp.toml", []byte("[sde]\nkind = \"vp\"\n[model]\nembedding = \"fourier\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model.EMARate != 0.9999 || c.Sampling.Predictor != "euler_maruyama" || c.Sampling.Corrector != "none" ||
		c.Sampling.Eps != 1e-3 || c.Model.ScaleBySigma {
		t.Errorf("VP defaults: %+v %+v", c.Model, c.Sampling)
	}
	if c.Model.Embedding != "fourier" {
		t.Errorf("explicit embedding overwritten: %q", c.Model.Embedding)
	}
	// --set of the kind also switches the kind-dependent defaults
	c, err = Parse("ve.toml", []byte(""), []string{"sde.kind=subvp", "model.ema_rate=0.99"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SDE.Kind != "subvp" || c.Model.EMARate != 0.99 || c.Sampling.Predictor != "euler_maruyama" {
		t.Errorf("after --set: %+v %+v", c.SDE, c.Model)
	}
}

func TestOverrides(t *testing.T) {
	c, err := Parse("a.toml", []byte("[sampling]\nsnr = 0.1\n"), []string{
		"sampling.snr=0.2", "sampling.predictor=ancestral_sampling", "training.reduce_mean=true",
		"data.kind=moons", "sampling.n_steps=500", `sampling.method="ode"`, "seed=7",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Sampling.SNR != 0.2 || c.Sampling.Predictor != "ancestral_sampling" || !c.Training.ReduceMean ||
		c.Data.Kind != "moons" || c.SamplingSteps() != 500 || c.Sampling.Method != "ode" || c.Seed != 7 {
		t.Errorf("overrides not applied: %+v", c)
	}
	o, err := c.PCOptions()
	if err != nil || o.Predictor != sde.AncestralSampling || o.SNR != 0.2 {
		t.Errorf("PCOptions %+v %v", o, err)
	}
}

// TestErrors: every bad input is one line naming file, line and key.
func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		set  []string
		want string
	}{
		{"unknown key", "[sampling]\nsnr = 0.2\nsnrr = 0.3\n", nil,
			"bad.toml:3: sampling.snrr: unknown key (did you mean sampling.snr?)"},
		{"unknown section", "seed = 1\n\n[optimizer]\nlr = 1e-3\n", nil, "bad.toml:3: optimizer: unknown section (did you mean optim?)"},
		{"unknown top-level key", "sed = 1\n", nil, "bad.toml:1: sed: unknown key (did you mean seed?)"},
		{"unknown component key", issueExample + "[[data.components]]\nweigth = 1.0\nmean = [0.0, 0.0]\nstd = 1.0\n", nil,
			"bad.toml:18: data.components.weigth: unknown key (did you mean data.components.weight?)"},
		{"type error", "[sampling]\n\nsnr = \"high\"\n", nil, "bad.toml:3: sampling.snr: incompatible types: TOML value has type string; destination has type float"},
		{"int for string", "[training]\nloss = 3\n", nil, "bad.toml:2: training.loss: incompatible types"},
		{"float for int", "[training]\nbatch_size = 12.5\n", nil, "bad.toml:2: training.batch_size:"},
		{"syntax", "[sampling]\nsnr = \n", nil, "bad.toml:2:"},
		{"duplicate", "[sde]\nkind = \"ve\"\nkind = \"vp\"\n", nil, "bad.toml:3:"},
		{"bad enum", "[sampling]\nmethod = \"pc\"\npredictor = \"leapfrog\"\n", nil,
			"bad.toml:3: sampling.predictor: unknown predictor \"leapfrog\""},
		{"bad sde", "[sde]\nkind = \"vpe\"\n", nil, "bad.toml:2: sde.kind: unknown SDE \"vpe\""},
		{"sigma order", "[sde]\nsigma_min = 1.0\nsigma_max = 0.5\n", nil, "bad.toml:3: sde.sigma_max: must be finite and above sigma_min"},
		{"loss needs ve", "[sde]\nkind = \"vp\"\n[training]\nloss = \"smld\"\n", nil, "bad.toml:4: training.loss: \"smld\" needs sde.kind = \"ve\""},
		{"ancestral subvp", "[sde]\nkind = \"subvp\"\n[sampling]\npredictor = \"ancestral_sampling\"\n", nil,
			"bad.toml:4: sampling.predictor: ancestral_sampling is defined for ve and vp only"},
		{"cov not PD", strings.Replace(issueExample, "[[1.0, 0.2], [0.2, 0.5]]", "[[1.0, 2.0], [2.0, 0.5]]", 1), nil,
			"bad.toml:7: data.components: component 2: cov is not positive-definite"},
		{"cov asymmetric", strings.Replace(issueExample, "[[1.0, 0.2], [0.2, 0.5]]", "[[1.0, 0.3], [0.2, 0.5]]", 1), nil,
			"bad.toml:7: data.components: component 2: cov is not symmetric"},
		{"negative weight", strings.Replace(issueExample, "weight = 0.2", "weight = -0.2", 1), nil,
			"bad.toml:7: data.components: component 2: weight -0.2 must be positive"},
		{"dim mismatch", strings.Replace(issueExample, "mean = [-5.0, -5.0]", "mean = [-5.0]", 1), nil,
			"bad.toml:7: data.components: component 2:"},
		{"gmm without components", "[data]\nkind = \"gmm\"\n", nil, "bad.toml:1: data.components: data.kind = \"gmm\" needs at least one"},
		{"npy without path", "[data]\nkind = \"npy\"\n", nil, "bad.toml:1: data.path: data.kind = \"npy\" needs data.path"},
		{"set type", "", []string{"sampling.snr=abc"}, "--set: sampling.snr: incompatible types: TOML value has type string; destination has type float (from --set sampling.snr=abc)"},
		{"set unknown", "", []string{"sampling.snrr=0.1"}, "--set: sampling.snrr: unknown key (did you mean sampling.snr?)"},
		{"set no equals", "", []string{"sampling.snr"}, "--set: sampling.snr: want section.key=value"},
		{"set control character", "", []string{"sampling.snr=1\n2"}, `--set: sampling.snr: incompatible types: TOML value has type string; destination has type float (from --set sampling.snr=1\n2)`},
		{"escape before a line break", "\"\\\n", nil, `bad.toml:2: invalid escape in string '\\n'`},
		{"set no section", "", []string{"snr=0.1"}, "--set: snr: want section.key=value"},
		{"set empty value", "", []string{"sampling.snr="}, "--set: sampling.snr: empty value"},
		{"set bad value", "", []string{"sampling.corrector=hmc"}, "--set: sampling.corrector: unknown corrector \"hmc\" (want none | langevin | ald) (from --set sampling.corrector=hmc)"},
		{"set bad range", "", []string{"optim.lr=-1"}, "--set: optim.lr: must be > 0, got -1 (from --set optim.lr=-1)"},
	}
	for _, c := range cases {
		_, err := Parse("bad.toml", []byte(c.src), c.set)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s:\n got  %q\n want %q...", c.name, msg, c.want)
		}
		if _, ok := err.(*Error); !ok {
			t.Errorf("%s: error type %T", c.name, err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "run.toml")
	if err := os.WriteFile(p, []byte(issueExample+"[training]\nloss = \"ssm_vr\"\nn_particles = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != p || c.Training.Loss != "ssm_vr" || c.Training.NParticles != 2 {
		t.Errorf("loaded %+v", c.Training)
	}
	_, err = Load(filepath.Join(dir, "missing.toml"), nil)
	if err == nil || !strings.Contains(err.Error(), "missing.toml: no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestBuilders(t *testing.T) {
	c, err := Parse("b.toml", []byte("[data]\nkind = \"ncsn_toy\"\n[sampling]\nmethod = \"ald\"\nsigma_begin = 20.0\nsigma_end = 1.0\nn_levels = 10\nn_steps_each = 100\nstep_lr = 0.1\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GMM()
	if err != nil || g.K() != 2 {
		t.Fatalf("ncsn_toy gmm: %v", err)
	}
	a := c.ALDOptions()
	if len(a.Sigmas) != 10 || a.Sigmas[0] != 20 || math.Abs(a.Sigmas[9]-1) > 1e-12 || a.StepsEach != 100 || a.Eps != 0.1 {
		t.Errorf("ALD %+v", a)
	}
	c, _ = Parse("m.toml", []byte("[data]\nkind = \"moons\"\n"), nil)
	if _, err := c.GMM(); err == nil {
		t.Error("moons has no GMM")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "pts.npy")
	if err := data.SaveNPY(p, []float64{1, 2, 3, 4, 5, 6}, 3, 2); err != nil {
		t.Fatal(err)
	}
	c, err = Parse("n.toml", []byte("[data]\nkind = \"npy\"\npath = \""+p+"\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := c.Dataset()
	if err != nil || ds.Dim() != 2 || len(ds.Sample(5, rand.New(rand.NewPCG(1, 1)))) != 10 {
		t.Errorf("npy dataset %v %v", ds, err)
	}
}

func TestDoctor(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		keys  []string
		check func(t *testing.T, ws []Warning)
	}{
		{"ncsn toy, VE sigma_max 5", "[data]\nkind = \"ncsn_toy\"\n[sde]\nsigma_max = 5.0\n",
			[]string{"sde.sigma_max", "sde.sigma_max"}, nil},
		{"ncsn toy, VE sigma_max 50", "[data]\nkind = \"ncsn_toy\"\n[sde]\nsigma_max = 50.0\n", nil, nil},
		{"ncsn toy, VP beta_max 20", "[data]\nkind = \"ncsn_toy\"\n[sde]\nkind = \"vp\"\n", nil, nil},
		{"ncsn toy, VP beta_max 3", "[data]\nkind = \"ncsn_toy\"\n[sde]\nkind = \"vp\"\nbeta_max = 3.0\n", []string{"sde.beta_max"}, nil},
		{"moons, VE sigma_max 1", "[data]\nkind = \"moons\"\n[sde]\nsigma_max = 1.0\n", []string{"sde.sigma_max", "sde.sigma_max"}, nil},
		{"moons, VE sigma_max 50", "[data]\nkind = \"moons\"\n", nil, nil},
	}
	for _, c := range cases {
		cfg, err := Parse("d.toml", []byte(c.src), nil)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := cfg.Dataset()
		if err != nil {
			t.Fatal(err)
		}
		ws, err := Doctor(cfg, ds, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, w := range ws {
			keys = append(keys, w.Key)
			t.Logf("%s: %s", c.name, w)
		}
		if strings.Join(keys, ",") != strings.Join(c.keys, ",") {
			t.Errorf("%s: warnings %v, want keys %v", c.name, ws, c.keys)
		}
	}
}

// TestPriorMismatchIsLikelihoodBias: the doctor's KL estimate predicts the
// mean bias of the ODE log-likelihood when the prior is far from p_T.
func TestPriorMismatchIsLikelihoodBias(t *testing.T) {
	g := data.NCSNToy()
	s, _ := sde.NewVE(0.01, 5, 1000)
	r := rand.New(rand.NewPCG(4, 4))
	pm, err := MixturePriorMismatch(g, s, r)
	if err != nil {
		t.Fatal(err)
	}
	if !(pm.Lower <= pm.Estimate+0.01 && pm.Estimate <= pm.Upper+0.01) {
		t.Errorf("estimate %g outside bounds [%g, %g]", pm.Estimate, pm.Lower, pm.Upper)
	}
	x := g.Sample(300, r)
	o := data.NewOracle(g, s)
	res, err := sde.LogLikelihood(s, x, 2, sde.LikelihoodOptions{Score: o.Score, Div: o.Div, RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	exact := make([]float64, 300)
	g.LogProb(x, exact)
	bias := 0.0
	for i := range exact {
		bias += (exact[i] - res.LogP[i]) / 300
	}
	t.Logf("VE sigma_max 5 on the NCSN toy: KL(p_T||prior) %.3f nats (bounds %.3f..%.3f), measured likelihood bias %.3f nats",
		pm.Estimate, pm.Lower, pm.Upper, bias)
	if math.Abs(bias-pm.Estimate) > 0.25*pm.Estimate+0.05 {
		t.Errorf("likelihood bias %.3f vs KL %.3f", bias, pm.Estimate)
	}
}

// TestSamplesAfterTraining: a short run draws at most ShortRunSamples unless
// sampling.n_samples is given, in the file or by --set.
func TestSamplesAfterTraining(t *testing.T) {
	const short = "[data]\nkind = \"moons\"\n[training]\nn_iters = 300\n"
	for _, tc := range []struct {
		src  string
		sets []string
		want int
	}{
		{short, nil, ShortRunSamples},
		{short, []string{"sampling.n_samples=5000"}, 5000},
		{short + "[sampling]\nn_samples = 200\n", nil, 200},
		{"[data]\nkind = \"moons\"\n[training]\nn_iters = 5000\n", nil, 10000},
	} {
		c, err := Parse("t.toml", []byte(tc.src), tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SamplesAfterTraining(); got != tc.want {
			t.Errorf("%q %v: %d samples after training, want %d", tc.src, tc.sets, got, tc.want)
		}
		if tc.sets != nil && !c.Given("sampling.n_samples") {
			t.Errorf("--set sampling.n_samples is not reported as given")
		}
	}
	if _, err := Parse("t.toml", []byte(short+"[sampling]\nn_samples = 0\n"), nil); err == nil || !strings.Contains(err.Error(), "t.toml:6: sampling.n_samples") {
		t.Errorf("n_samples = 0: %v, want an error at t.toml:6", err)
	}
}
