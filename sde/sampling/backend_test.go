package sampling

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// tinyNetConfig is a small network on the 8-Gaussians data.
const tinyNetConfig = `seed = 5
[data]
kind = "8gaussians"
[sde]
kind = "vp"
[model]
hidden = 16
layers = 2
embedding_dim = 16
[sampling]
method = "em"
n_steps = 30
`

// sampleBoth runs r on the Reference and the Device backends, failing the
// test on either's error, and returns their samples.
func sampleBoth(t *testing.T, dev *vk.Device, r Request) (want, got []float64) {
	t.Helper()
	want, _, err := Reference{}.Sample(context.Background(), r)
	if err != nil {
		t.Fatalf("%s on the reference backend: %v", r.Describe(), err)
	}
	got, _, err = (&Device{Dev: dev}).Sample(context.Background(), r)
	if err != nil {
		t.Fatalf("%s on the device: %v", r.Describe(), err)
	}
	return want, got
}

// float32s is x in float32, as vktest.Close takes the device side.
func float32s(x []float64) []float32 {
	f := make([]float32, len(x))
	for i, v := range x {
		f[i] = float32(v)
	}
	return f
}

// TestBackendsAgree: one request, run by the Reference and the Device
// backends, gives the same samples (the same Philox draws for the prior and
// the predictor) and the same likelihood.
func TestBackendsAgree(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	const n, d = 37, 2
	backends := []Backend{Reference{}, &Device{Dev: dev}}
	for _, m := range []Method{EM, ODE} {
		set := []string{}
		if m == ODE {
			set = []string{"sampling.ode_solver=euler"}
		}
		cm, err := config.Parse("tiny.toml", []byte(tinyNetConfig), set)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewRequest(cm, m, n, d, 11, OracleModel(data.EightGaussians()))
		if err != nil {
			t.Fatal(err)
		}
		var got [2][]float64
		for i, b := range backends {
			x, nfe, err := b.Sample(context.Background(), r)
			if err != nil {
				t.Fatalf("%s on %T: %v", r.Describe(), b, err)
			}
			if len(x) != n*d || nfe < 30 {
				t.Fatalf("%s on %T: %d values, NFE %d", r.Describe(), b, len(x), nfe)
			}
			got[i] = x
		}
		f := make([]float32, len(got[1]))
		for i, v := range got[1] {
			f[i] = float32(v)
		}
		vktest.Close(t, r.Describe(), f, got[0], 2e-3, 2e-3)
	}

	pts := data.EightGaussians().Sample(n, rand.New(rand.NewPCG(4, 4)))
	s, _ := c.NewSDE(0)
	var mean [2]float64
	for i, b := range backends {
		res, err := b.LogLikelihood(context.Background(), LikelihoodRequest{SDE: s, Dim: d, X: pts, Seed: 3,
			Estimator: sde.ExactDiv, RTol: 1e-5, ATol: 1e-5, Score: OracleModel(data.EightGaussians())})
		if err != nil {
			t.Fatalf("likelihood on %T: %v", b, err)
		}
		if len(res.LogP) != n || len(res.ZT) != n*d {
			t.Fatalf("likelihood on %T: %d log-densities, %d terminal values", b, len(res.LogP), len(res.ZT))
		}
		mean[i] = res.MeanLogP
	}
	if math.Abs(mean[0]-mean[1]) > 1e-2 {
		t.Errorf("mean log p: reference %.5f, device %.5f", mean[0], mean[1])
	}
}

// TestNetModelHostAndDevice: a network's score evaluated on the host by the
// float64 reference executor (TimeScore) and on the device (HostNetScore)
// agree, on a batch that is no multiple of a workgroup.
func TestNetModelHostAndDevice(t *testing.T) {
	vktest.Open(t, vk.Options{}).Close() // skips without a device
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSDE(0)
	net, err := c.NewMLP(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	w, err := model.InitParams32(net.Params(), 1)
	if err != nil {
		t.Fatal(err)
	}
	m := NetModel("init", net, w, 2)
	x := make([]float64, 2*13)
	for i := range x {
		x[i] = math.Sin(float64(i)) * 2
	}
	host := make([]float64, len(x))
	m.TimeScore(s)(x, 0.4, host)
	ev, err := NewHostNetScore(m)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	got := make([]float64, len(x))
	ev.Score(x, 0.4, got)
	if err := ev.Err(); err != nil {
		t.Fatal(err)
	}
	f := make([]float32, len(got))
	for i, v := range got {
		f[i] = float32(v)
	}
	vktest.Close(t, "net score", f, host, 1e-4, 1e-4)

	// A network under a VP SDE has no time for a noise level: the Langevin
	// samplers are refused as a request error, on both backends.
	r, err := NewRequest(c, ALD, 4, 2, 1, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Backend{Reference{}, &Device{}} {
		_, _, err := b.Sample(context.Background(), r)
		var re *RequestError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "ald") {
			t.Errorf("ald with a network under VP on %T: %v, want a RequestError", b, err)
		}
	}
}

// TestParseMethod: every config method parses; others are refused by name.
func TestParseMethod(t *testing.T) {
	for _, name := range config.Methods {
		m, err := ParseMethod(name)
		if err != nil || string(m) != name {
			t.Errorf("%s: %v %v", name, m, err)
		}
	}
	if _, err := ParseMethod("plms"); err == nil || !strings.Contains(err.Error(), "plms") {
		t.Errorf("plms: %v", err)
	}
}

// TestDiscreteChainRequests: at N = 10 on VP (beta_max / N = 2) both
// backends run Euler-Maruyama, which needs no discrete betas, and refuse
// the ancestral predictor, which steps along them, with a RequestError
// naming it.
func TestDiscreteChainRequests(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), []string{"sampling.n_steps=10"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRequest(c, EM, 13, 2, 11, OracleModel(data.EightGaussians()))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Backend{Reference{}, &Device{Dev: dev}} {
		if _, nfe, err := b.Sample(context.Background(), r); err != nil || nfe != 10 {
			t.Errorf("em at N = 10 on %T: NFE %d, %v", b, nfe, err)
		}
		anc := r
		anc.Method, anc.PC.Predictor = PC, sde.AncestralSampling
		_, _, err := b.Sample(context.Background(), anc)
		var re *RequestError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "the ancestral_sampling predictor") {
			t.Errorf("ancestral at N = 10 on %T: %v, want a RequestError naming the predictor", b, err)
		}
	}
}
