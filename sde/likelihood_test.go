package sde_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
)

// exactLogP is the data log-density at the test points.
func exactLogP(g *data.GMM, x []float64) []float64 {
	out := make([]float64, len(x)/g.Dim())
	g.LogProb(x, out)
	return out
}

func TestLikelihoodExactDivergence(t *testing.T) {
	g := mixture2D(t)
	r := rand.New(rand.NewPCG(31, 1))
	const n = 200
	x := g.Sample(n, r)
	want := exactLogP(g, x)
	cases := []struct {
		name string
		kind sde.Kind
		smax float64
		tol  float64 // mean |error| per dim, nats
	}{
		{"VP", sde.KindVP, 0, 0.01},
		{"subVP", sde.KindSubVP, 0, 0.01},
		{"VE sigma_max 50", sde.KindVE, 50, 0.01},
	}
	for _, c := range cases {
		s := mustSDE(t, c.kind, 1000, c.smax)
		o := data.NewOracle(g, s)
		res, err := sde.LogLikelihood(s, x, 2, sde.LikelihoodOptions{
			Score: o.Score, Div: o.Div, Estimator: sde.ExactDiv, RTol: 1e-5, ATol: 1e-5,
		})
		if err != nil {
			t.Fatal(err)
		}
		var meanAbs, meanErr, maxAbs, meanExact float64
		for i := range want {
			e := res.LogP[i] - want[i]
			meanAbs += math.Abs(e) / n
			meanErr += e / n
			maxAbs = math.Max(maxAbs, math.Abs(e))
			meanExact += want[i] / n
		}
		t.Logf("%-16s mean logp %.4f (exact %.4f): mean |err| %.5f nats/dim, mean err %+.5f, max |err| %.4f nats, NFE %d",
			c.name, res.MeanLogP, meanExact, meanAbs/2, meanErr/2, maxAbs, res.NFE)
		if meanAbs/2 > c.tol {
			t.Errorf("%s: mean |error| %.4f nats/dim above %.3f", c.name, meanAbs/2, c.tol)
		}
		if math.Abs(res.NatsPerDim+res.MeanLogP/2) > 1e-12 {
			t.Errorf("nats per dim %g", res.NatsPerDim)
		}
	}
}

// TestLikelihoodExactViaJVP: D JVPs with basis vectors give the same
// divergence as the Div callback, so the same log-likelihoods.
func TestLikelihoodExactViaJVP(t *testing.T) {
	g := mixture2D(t)
	x := g.Sample(50, rand.New(rand.NewPCG(32, 1)))
	s := mustSDE(t, sde.KindVP, 1000, 0)
	o := data.NewOracle(g, s)
	a, err := sde.LogLikelihood(s, x, 2, sde.LikelihoodOptions{Score: o.Score, Div: o.Div, RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sde.LogLikelihood(s, x, 2, sde.LikelihoodOptions{Score: o.Score, JVP: o.JVP, RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.LogP {
		if math.Abs(a.LogP[i]-b.LogP[i]) > 1e-9 {
			t.Fatalf("point %d: Div %g vs JVP %g", i, a.LogP[i], b.LogP[i])
		}
	}
	if a.NFE != b.NFE {
		t.Errorf("NFE %d vs %d", a.NFE, b.NFE)
	}
	// A finite-difference JVP of the score is close too.
	c, err := sde.LogLikelihood(s, x, 2, sde.LikelihoodOptions{Score: o.Score, JVP: sde.FiniteDiffJVP(o.Score, 1e-4), RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(c.MeanLogP - a.MeanLogP); d > 1e-3 {
		t.Errorf("finite-difference JVP mean logp off by %g", d)
	}
}

// TestHutchinsonUnbiased replicates each of a few points R times in one batch
// so every replica gets its own probes; the mean over replicas must match the
// exact-divergence log-likelihood within its standard error, for Rademacher
// and Gaussian probes, and K probes must cut the variance about K-fold.
func TestHutchinsonUnbiased(t *testing.T) {
	g := mixture2D(t)
	const pts, R = 8, 150
	x0 := g.Sample(pts, rand.New(rand.NewPCG(33, 1)))
	s := mustSDE(t, sde.KindVP, 1000, 0)
	o := data.NewOracle(g, s)
	exact, err := sde.LogLikelihood(s, x0, 2, sde.LikelihoodOptions{Score: o.Score, Div: o.Div, RTol: 1e-5, ATol: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 0, 2*pts*R)
	for rep := 0; rep < R; rep++ {
		x = append(x, x0...)
	}
	variance := map[string]float64{}
	for _, c := range []struct {
		name string
		est  sde.Estimator
		k    int
	}{
		{"rademacher K=1", sde.HutchinsonRademacher, 1},
		{"gaussian K=1", sde.HutchinsonGaussian, 1},
		{"rademacher K=4", sde.HutchinsonRademacher, 4},
	} {
		res, err := sde.LogLikelihood(s, x, 2, sde.LikelihoodOptions{
			Score: o.Score, JVP: o.JVP, Estimator: c.est, Probes: c.k,
			Normal: sde.NewNormal(34, uint64(c.k)), RTol: 1e-5, ATol: 1e-5,
		})
		if err != nil {
			t.Fatal(err)
		}
		worst, v := 0.0, 0.0
		for p := 0; p < pts; p++ {
			var m, m2 float64
			for rep := 0; rep < R; rep++ {
				l := res.LogP[rep*pts+p]
				m += l / R
				m2 += l * l / R
			}
			sd := math.Sqrt((m2 - m*m) * R / (R - 1))
			z := math.Abs(m-exact.LogP[p]) / (sd / math.Sqrt(R))
			worst = math.Max(worst, z)
			v += sd * sd / pts
		}
		variance[c.name] = v
		t.Logf("%-15s worst |mean - exact| = %.2f standard errors over %d points, per-point probe std %.4f nats, NFE %d",
			c.name, worst, pts, math.Sqrt(v), res.NFE)
		if worst > 4 {
			t.Errorf("%s: Hutchinson mean is %.1f standard errors from the exact divergence", c.name, worst)
		}
	}
	if ratio := variance["rademacher K=1"] / variance["rademacher K=4"]; ratio < 2.5 || ratio > 6 {
		t.Errorf("K=4 probes cut the variance by %.2f, want about 4", ratio)
	}
}

func TestLikelihoodBadInput(t *testing.T) {
	s := mustSDE(t, sde.KindVP, 1000, 0)
	g := mixture2D(t)
	o := data.NewOracle(g, s)
	x := []float64{1, 2}
	cases := []struct {
		name string
		d    int
		opt  sde.LikelihoodOptions
	}{
		{"no score", 2, sde.LikelihoodOptions{RTol: 1e-5, ATol: 1e-5}},
		{"exact without div", 2, sde.LikelihoodOptions{Score: o.Score, RTol: 1e-5, ATol: 1e-5}},
		{"hutchinson without jvp", 2, sde.LikelihoodOptions{Score: o.Score, Div: o.Div, Estimator: sde.HutchinsonGaussian, Normal: sde.NewNormal(1, 1), RTol: 1e-5, ATol: 1e-5}},
		{"hutchinson without normal", 2, sde.LikelihoodOptions{Score: o.Score, JVP: o.JVP, Estimator: sde.HutchinsonRademacher, RTol: 1e-5, ATol: 1e-5}},
		{"ragged", 3, sde.LikelihoodOptions{Score: o.Score, Div: o.Div, RTol: 1e-5, ATol: 1e-5}},
		{"zero tol", 2, sde.LikelihoodOptions{Score: o.Score, Div: o.Div}},
	}
	for _, c := range cases {
		if _, err := sde.LogLikelihood(s, x, c.d, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
