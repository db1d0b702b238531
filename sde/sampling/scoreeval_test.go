package sampling

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// scoreEvalInputs draws n 2-D points and times in [1e-3, 1].
func scoreEvalInputs(n int) (x, t []float32) {
	r := rand.New(rand.NewPCG(3, 4))
	x, t = make([]float32, 2*n), make([]float32, n)
	for i := range x {
		x[i] = float32(2 * r.NormFloat64())
	}
	for i := range t {
		t[i] = float32(1e-3 + (1-1e-3)*r.Float64())
	}
	return x, t
}

// A network's scores, evaluated in device batches that do not divide the
// points, match the float64 reference executor point by point, each at its
// own time.
func TestScoreEvalNetMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := NetworkFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	weights := map[string][]float32{}
	for _, p := range net.Params() {
		v, err := model.InitValues(p, 9)
		if err != nil {
			t.Fatal(err)
		}
		f := make([]float32, len(v))
		for i := range v {
			f[i] = float32(v[i]) + 0.1 // nonzero biases too
		}
		weights[p.Name] = f
	}
	m := NetModel("tiny", net, weights, 2)
	s, _ := c.NewSDE(0)
	const n = 37
	x, ts := scoreEvalInputs(n)
	got, err := ScoreEval{Dev: dev, Batch: 16}.Eval(m, s, x, ts)
	if err != nil {
		t.Fatal(err)
	}
	ref := m.TimeScore(s)
	want := make([]float64, 2)
	for i := 0; i < n; i++ {
		ref([]float64{float64(x[2*i]), float64(x[2*i+1])}, float64(ts[i]), want)
		for j := range want {
			if d := math.Abs(float64(got[2*i+j]) - want[j]); d > 1e-4*(1+math.Abs(want[j])) {
				t.Fatalf("point %d (t %v): score %v, reference %v", i, ts[i], got[2*i:2*i+2], want)
			}
		}
	}
}

// The oracle gives the mixture's exact score at each point's time.
func TestScoreEvalOracle(t *testing.T) {
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSDE(0)
	g := data.EightGaussians()
	x, ts := scoreEvalInputs(5)
	got, err := ScoreEval{}.Eval(OracleModel(g), s, x, ts)
	if err != nil {
		t.Fatal(err)
	}
	o := data.NewOracle(g, s)
	want := make([]float64, 2)
	for i := range ts {
		o.Score([]float64{float64(x[2*i]), float64(x[2*i+1])}, float64(ts[i]), want)
		for j := range want {
			if float32(want[j]) != got[2*i+j] {
				t.Errorf("point %d: %v, want %v", i, got[2*i:2*i+2], want)
			}
		}
	}
}

func TestScoreEvalRefusesBadInput(t *testing.T) {
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSDE(0)
	net, _, _ := NetworkFromConfig(c)
	m := OracleModel(data.EightGaussians())
	cases := []struct {
		m    ScoreModel
		x, t []float32
		want string
	}{
		{m, []float32{1, 2, 3}, []float32{0.5, 0.5}, "3 values of x for 2 times"},
		{m, []float32{1, 2}, []float32{0}, "t[0] = 0 is outside (0, 1]"},
		{m, []float32{1, 2}, []float32{float32(math.NaN())}, "outside"},
		{NetModel("net", net, nil, 2), []float32{1, 2, 3}, []float32{0.5}, "points have 3 values each, net takes 2"},
		{m, []float32{1, 2, 3}, []float32{0.5}, "points have 3 values each, oracle takes 2"},
	}
	for _, tc := range cases {
		if _, err := (ScoreEval{}).Eval(tc.m, s, tc.x, tc.t); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Eval = %v, want an error containing %q", err, tc.want)
		}
	}
}

// Without a batch, ScoreEval sizes one from the device's memory (a tiny
// network gets the cap, or all the points when fewer), and the scores do
// not depend on the batch.
func TestScoreEvalAutoBatch(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := NetworkFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	weights := map[string][]float32{}
	for _, p := range net.Params() {
		v, _ := model.InitValues(p, 2)
		weights[p.Name] = make([]float32, len(v))
		for i := range v {
			weights[p.Name][i] = float32(v[i])
		}
	}
	m := NetModel("tiny", net, weights, 2)
	s, _ := c.NewSDE(0)
	x, ts := scoreEvalInputs(11)
	auto, err := ScoreEval{Dev: dev}.Eval(m, s, x, ts)
	if err != nil {
		t.Fatal(err)
	}
	ones, err := ScoreEval{Dev: dev, Batch: 1}.Eval(m, s, x, ts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range auto {
		if math.Abs(float64(auto[i]-ones[i])) > 1e-5*(1+math.Abs(float64(ones[i]))) {
			t.Fatalf("value %d: %v in an automatic batch, %v one point at a time", i, auto[i], ones[i])
		}
	}
	lib := kernels.New(dev)
	defer lib.Close()
	exec, err := m.NewExecutor(lib)
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Params.Release()
	one, err := compileScore(exec, m, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer one.prog.Release()
	if b := autoBatch(dev, one, 1000); b != DefaultScoreBatch {
		t.Errorf("a tiny network on %v: batch %d, want the cap %d", dev.Info.Name, b, DefaultScoreBatch)
	}
	if b := autoBatch(dev, one, 7); b != 7 {
		t.Errorf("7 points: batch %d, want 7", b)
	}
}
