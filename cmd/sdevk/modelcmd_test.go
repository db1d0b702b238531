package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
)

const toyConfig = "../../configs/ncsn_toy.toml"

// runCmd runs sdevk in-process and returns the exit code, stdout and the
// stderr of both the runner and the commands' warnings.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	old := cmdStderr
	cmdStderr = &errb
	defer func() { cmdStderr = old }()
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("sdevk %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// savePoints writes n exact points of the toy (or any d-dim Gaussian
// points when d != 2) as float32 .npy.
func savePoints(t *testing.T, path string, n, d int, seed uint64) []float64 {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	var x []float64
	if d == 2 {
		x = data.NCSNToy().Sample(n, r)
	} else {
		x = make([]float64, n*d)
		for i := range x {
			x[i] = r.NormFloat64()
		}
	}
	if err := data.SaveNPY(path, x, n, d); err != nil {
		t.Fatal(err)
	}
	return x
}

func TestShippedConfigs(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.toml")
	if err != nil || len(files) < 5 {
		t.Fatalf("configs: %v %v", files, err)
	}
	for _, f := range files {
		c, err := config.Load(f, nil)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		ds, err := c.Dataset()
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		ws, err := config.Doctor(c, ds, rand.New(rand.NewPCG(1, 2)))
		if err != nil || len(ws) > 0 {
			t.Errorf("%s: doctor: %v %v", f, ws, err)
		}
		// The image configs' U-Nets and classifiers are sized in their own
		// comments.
		if !c.IsUNet() && !c.IsClassifier() && (c.Model.Hidden != 128 || c.Training.BatchSize != 512 || c.Training.NIters > 10000) {
			t.Errorf("%s: model/training sizes %d %d %d are not the lavapipe-sized ones", f, c.Model.Hidden, c.Training.BatchSize, c.Training.NIters)
		}
	}
}

func TestSampleEachSampler(t *testing.T) {
	dir := t.TempDir()
	cases := [][]string{
		{"--sampler", "pc", "--steps", "20"},
		{"--sampler", "pc", "--predictor", "ancestral", "--corrector", "ald", "--snr", "0.1", "--steps", "20"},
		{"--sampler", "em", "--steps", "20"},
		{"--sampler", "ode", "--rtol", "1e-3", "--atol", "1e-3"},
		{"--sampler", "ode", "--set", "sampling.ode_solver=heun", "--steps", "10"},
		{"--sampler", "ald", "--steps", "5"},
		{"--sampler", "langevin", "--steps", "30", "--step-size", "0.1"},
	}
	for i, extra := range cases {
		out := filepath.Join(dir, "s.npy")
		args := append([]string{"sample", "--config", toyConfig, "--score", "oracle", "--device", "cpu-reference",
			"--n", "200", "--seed", "3", "--out", out}, extra...)
		if i == 0 {
			args = append(args, "--png", filepath.Join(dir, "s.png"))
		}
		stdout := mustRun(t, args...)
		if !strings.Contains(stdout, "NFE ") || !strings.Contains(stdout, "wall time") {
			t.Errorf("%v: stdout %q", extra, stdout)
		}
		p, err := data.LoadNPY(out)
		if err != nil || p.N != 200 || p.D != 2 {
			t.Fatalf("%v: %v %+v", extra, err, p)
		}
	}
	f, err := os.Open(filepath.Join(dir, "s.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() < panelPx {
		t.Fatalf("png: %v %v", err, img)
	}
}

// TestSampleNFE: the PC sampler with a corrector makes N (n_steps_each + 1)
// score evaluations.
func TestSampleNFE(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.npy")
	stdout := mustRun(t, "sample", "--config", toyConfig, "--score", "oracle", "--device", "cpu-reference",
		"--sampler", "pc", "--steps", "30", "--n", "50", "--out", out)
	if !strings.Contains(stdout, "NFE 60,") {
		t.Errorf("stdout %q, want NFE 60", stdout)
	}
}

// TestPCModeWeights: oracle PC sampling of the NCSN toy recovers the 0.8 /
// 0.2 weights, judged by sdevk eval; plain Langevin does not.
func TestPCModeWeights(t *testing.T) {
	dir := t.TempDir()
	weights := func(extra ...string) (map[string]any, []float64) {
		s, js := filepath.Join(dir, "s.npy"), filepath.Join(dir, "eval.json")
		mustRun(t, append([]string{"sample", "--config", toyConfig, "--score", "oracle", "--device", "cpu-reference",
			"--n", "4000", "--out", s}, extra...)...)
		mustRun(t, "eval", "--config", toyConfig, "--samples", s, "--out", js, "--reps", "2")
		m := readJSON(t, js)
		var w []float64
		for _, mode := range m["modes"].([]any) {
			w = append(w, mode.(map[string]any)["sample_weight"].(float64))
		}
		return m, w
	}
	m, w := weights("--sampler", "pc", "--steps", "100")
	if len(w) != 2 || math.Abs(w[0]-0.8) > 0.03 || math.Abs(w[1]-0.2) > 0.03 {
		t.Errorf("pc mode weights %v, want 0.8/0.2", w)
	}
	for _, k := range []string{"energy_distance", "noise_floor", "ratio", "mmd2", "mmd_bandwidth", "max_weight_error", "expected_noise_floor"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("eval JSON lacks %s: %v", k, m)
		}
	}
	if r := m["ratio"].(float64); !(r < 6) {
		t.Errorf("pc energy distance / noise floor = %g", r)
	}
	_, w = weights("--sampler", "langevin", "--step-size", "0.1", "--steps", "200")
	if !(w[0] < 0.7) {
		t.Errorf("plain Langevin mode weights %v: expected the weights to be wrong", w)
	}
}

func TestLikelihood(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "x.npy")
	savePoints(t, pts, 200, 2, 7)
	js := filepath.Join(dir, "ll.json")
	code, stdout, stderr := runCmd(t, "likelihood", "--config", toyConfig, "--score", "oracle", "--data", pts,
		"--estimator", "exact", "--rtol", "1e-5", "--atol", "1e-5", "--out", js, "--device", "cpu-reference")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "nats/dim") {
		t.Errorf("stdout %q", stdout)
	}
	m := readJSON(t, js)
	if lp := m["logp"].([]any); len(lp) != 200 {
		t.Errorf("logp has %d values", len(lp))
	}
	for _, k := range []string{"mean_logp", "nats_per_dim", "nfe", "exact_mean_logp", "mean_abs_error_per_dim"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("likelihood JSON lacks %s", k)
		}
	}
	if e := math.Abs(m["mean_logp"].(float64)-m["exact_mean_logp"].(float64)) / 2; e > 0.01 {
		t.Errorf("ODE mean log p off the exact one by %g nats/dim", e)
	}
	// Hutchinson probes, and the doctor's warning printed once with numbers.
	code, _, stderr = runCmd(t, "likelihood", "--config", toyConfig, "--set", "sde.sigma_max=10", "--score", "oracle",
		"--data", pts, "--estimator", "rademacher", "--probes", "2", "--rtol", "1e-3", "--atol", "1e-3", "--out", js,
		"--device", "cpu-reference")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := strings.Count(stderr, "sde.sigma_max: 10 is below"); n != 1 {
		t.Errorf("doctor warning printed %d times: %q", n, stderr)
	}
	m = readJSON(t, js)
	if m["estimator"] != "rademacher" || m["probes"].(float64) != 2 || len(m["warnings"].([]any)) == 0 {
		t.Errorf("JSON %v %v %v", m["estimator"], m["probes"], m["warnings"])
	}
}

func TestPlotScore(t *testing.T) {
	out := filepath.Join(t.TempDir(), "score.png")
	mustRun(t, "plot", "score", "--config", toyConfig, "--score", "oracle", "--out", out, "--t", "0.3",
		"--trajectories", "4", "--sampler", "ode", "--rtol", "1e-3", "--atol", "1e-3", "--grid", "10")
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput: each bad input exits 2 with one line naming the culprit
// and leaves the existing output file as it was.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := write("malformed.toml", "[data]\nkind = \"ncsn_toy\"\n[sampling\nsnr = 0.1\n")
	unknownKey := write("unknown.toml", "[data]\nkind = \"ncsn_toy\"\n[sampling]\nsnrr = 0.1\n")
	moons := write("moons.toml", "[data]\nkind = \"moons\"\n")
	pts := filepath.Join(dir, "x.npy")
	savePoints(t, pts, 50, 2, 1)
	pts3 := filepath.Join(dir, "x3.npy")
	savePoints(t, pts3, 50, 3, 1)
	notNpy := write("bad.npy", "not a numpy file")
	missing := filepath.Join(dir, "missing.toml")

	outNpy := write("out.npy", "sentinel npy")
	outJSON := write("out.json", "sentinel json")
	outPNG := write("out.png", "sentinel png")
	sample := func(extra ...string) []string {
		return append([]string{"sample", "--config", toyConfig, "--score", "oracle", "--device", "cpu-reference",
			"--n", "20", "--steps", "5", "--out", outNpy, "--png", outPNG}, extra...)
	}
	like := func(extra ...string) []string {
		return append([]string{"likelihood", "--config", toyConfig, "--score", "oracle", "--device", "cpu-reference",
			"--data", pts, "--out", outJSON}, extra...)
	}
	eval := func(extra ...string) []string {
		return append([]string{"eval", "--config", toyConfig, "--samples", pts, "--out", outJSON}, extra...)
	}
	cases := []struct {
		args []string
		want string
	}{
		{sample("--config", malformed), "malformed.toml:"},
		{sample("--config", unknownKey), "unknown.toml:4: sampling.snrr: unknown key"},
		{sample("--config", missing), "missing.toml"},
		{sample("--set", "sampling.snr"), "--set"},
		{sample("--set", "sampling.bogus=1"), "sampling.bogus"},
		{sample("--set", "sampling.snr=abc"), "sampling.snr"},
		{sample("--sampler", "plms"), "--sampler"},
		{sample("--sampler", "pc", "--predictor", "midpoint"), "--predictor"},
		{sample("--sampler", "pc", "--corrector", "hmc"), "--corrector"},
		{sample("--sampler", "ald", "--predictor", "none"), "--predictor"},
		{sample("--sampler", "pc", "--rtol", "1e-3"), "--rtol"},
		{sample("--sampler", "pc", "--snr", "-1"), "--snr"},
		{sample("--n", "0"), "--n"},
		{sample("--device", "no-such-gpu"), "no device matches"},
		{sample("--checkpoint", "runs/x"), "--checkpoint"},
		{sample("--score", "learned"), "--score"},
		{sample("--config", moons), "moons.toml"},
		{sample("--out", filepath.Join(dir, "nodir", "s.npy")), "does not exist"},
		{sample("--bogus"), "bogus"},
		{like("--data", pts3), "x3.npy"},
		{like("--data", notNpy), "bad.npy"},
		{like("--data", filepath.Join(dir, "none.npy")), "none.npy"},
		{like("--estimator", "skilling"), "--estimator"},
		{like("--estimator", "exact", "--probes", "3"), "--probes"},
		{like("--config", unknownKey), "sampling.snrr"},
		{like("--device", "gpu"), "no device matches"},
		{eval("--samples", pts3), "x3.npy"},
		{eval("--samples", filepath.Join(dir, "none.npy")), "none.npy"},
		{eval("--config", malformed), "malformed.toml:"},
		{eval("--set", "data.kind=spirals"), "data.kind"},
		{[]string{"plot", "score", "--config", toyConfig, "--score", "oracle", "--out", outPNG, "--sampler", "plms"}, "--sampler"},
		{[]string{"plot", "score", "--config", toyConfig, "--score", "oracle", "--out", outPNG, "--t", "2"}, "--t"},
		{[]string{"plot", "surface", "--config", toyConfig}, "surface"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCmd(t, c.args...)
		name := strings.Join(c.args, " ")
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q, stdout %q)", name, code, stderr, stdout)
			continue
		}
		if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: stderr %q: want one line naming %q", name, stderr, c.want)
		}
		for p, want := range map[string]string{outNpy: "sentinel npy", outJSON: "sentinel json", outPNG: "sentinel png"} {
			if b, _ := os.ReadFile(p); string(b) != want {
				t.Fatalf("%s: %s was changed", name, p)
			}
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
