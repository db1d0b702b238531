package sampling

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

func testMixture(t *testing.T) *data.GMM {
	t.Helper()
	g, err := data.NewGMM([]data.Component{
		{Weight: 0.7, Mean: []float64{1.5, 0.5}, Std: 0.4},
		{Weight: 0.3, Mean: []float64{-1, -1}, Cov: [][]float64{{0.5, 0.1}, {0.1, 0.3}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The device RK45 takes the reference solver's steps (same NFE) and lands
// where it does.
func TestODESampleMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	g := testMixture(t)
	vp, _ := sde.NewVP(0.1, 20, 1000)
	const b, d = 50, 2
	for _, o := range []sde.ODEOptions{
		{Method: sde.RK45, RTol: 1e-4, ATol: 1e-4, Denoise: true},
		{Method: sde.Euler, Steps: 30},
		{Method: sde.Heun, Steps: 20, Denoise: true},
	} {
		compareODE(t, lib, vp, g, b, d, o)
	}
}

func compareODE(t *testing.T, lib *kernels.Lib, vp sde.SDE, g *data.GMM, b, d int, o sde.ODEOptions) {
	t.Helper()
	got, res, err := ODESample(lib, vp, &OracleScore{Lib: lib, GMM: g}, b, d, o, 5)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, b*d)
	rng.Normal(x, rng.Key{Seed: 5})
	nfe, _, err := sde.ODESample(vp, x, d, data.NewOracle(g, vp).Score, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.NFE != nfe {
		t.Errorf("device NFE %d, reference %d", res.NFE, nfe)
	}
	vktest.Close(t, "ode samples "+o.Method.String(), got, x, 1e-2, 1e-2)
}

// The oracle likelihood matches the exact log-density within 0.01 nats per
// dimension on average, with the reference solver's NFE.
func TestLikelihoodMatchesExact(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	g := testMixture(t)
	vp, _ := sde.NewVP(0.1, 20, 1000)
	const b, d = 64, 2
	pts := g.Sample(b, rand.New(rand.NewPCG(1, 2)))
	x := make([]float32, len(pts))
	for i := range pts {
		x[i] = float32(pts[i])
	}
	r, err := LogLikelihood(lib, vp, &OracleScore{Lib: lib, GMM: g}, x, b, d, 1e-5, 1e-5, 0)
	if err != nil {
		t.Fatal(err)
	}
	exact := make([]float64, b)
	g.LogProb(pts, exact)
	gap := 0.0
	for i := range exact {
		gap += math.Abs(r.LogP[i]-exact[i]) / float64(b*d)
	}
	if gap > 0.01 {
		t.Errorf("mean |logp - exact| = %.4f nats/dim, want <= 0.01", gap)
	}
	oracle := data.NewOracle(g, vp)
	ref, err := sde.LogLikelihood(vp, pts, d, sde.LikelihoodOptions{Score: oracle.Score, Div: oracle.Div, Estimator: sde.ExactDiv, RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	if diff := r.NFE - ref.NFE; diff > 0 {
		t.Errorf("device NFE %d exceeds the reference's %d", r.NFE, ref.NFE)
	}
	t.Logf("nats/dim %.4f (exact %.4f), mean gap %.5f nats/dim, NFE %d (reference %d)", r.NatsPerDim, -mean(exact)/d, gap, r.NFE, ref.NFE)
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// A network score (here the exact Gaussian score as a graph) gives the
// exact log-density through its graph divergence, exact or Hutchinson.
func TestNetLikelihood(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	g := gaussian{mu: []float64{1, -0.5, 0.25}, sigma0: 0.8}
	vp, _ := sde.NewVP(0.1, 20, 1000)
	const b, d = 20, 3
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, b*d)
	exact := make([]float64, b)
	for i := 0; i < b; i++ {
		for j := 0; j < d; j++ {
			v := g.mu[j] + g.sigma0*r.NormFloat64()
			x[i*d+j] = float32(v)
			z := (v - g.mu[j]) / g.sigma0
			exact[i] += -0.5*z*z - math.Log(g.sigma0) - 0.5*math.Log(2*math.Pi)
		}
	}
	for _, est := range []string{DivExact, DivRademacher} {
		exec := vkexec.New(dev)
		score := &NetDivScore{NetScore: NetScore{Exec: exec, Build: g.build(vp)}, Estimator: est, Probes: 2, ProbeSeed: 9}
		res, err := LogLikelihood(lib, vp, score, x, b, d, 1e-5, 1e-5, 0)
		if err != nil {
			t.Fatal(err)
		}
		gap := 0.0
		for i := range exact {
			gap += math.Abs(res.LogP[i]-exact[i]) / float64(b*d)
		}
		if gap > 0.01 {
			t.Errorf("%s: mean gap %.4f nats/dim", est, gap)
		}
		exec.Params.Release()
	}
}
