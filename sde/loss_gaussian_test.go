package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
)

// Data N(mu, s0^2 I): p_t is N(m mu, (m^2 s0^2 + std^2) I), whose score is
// known. gaussScore is c * that score + delta, with c [1] and delta [D]
// graph Params, so that c = 1, delta = 0 is the truth.
type gaussScore struct {
	sde SDE
	mu  []float64
	s0  float64
}

func (gs gaussScore) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	d := x.Shape()[1]
	m, std := MarginalNodes(gs.sde, t)
	m, std = column(m), column(std)
	vr := graph.Add(graph.Scale(graph.Square(m), gs.s0*gs.s0), graph.Square(std)) // [B, 1]
	mu := g.Const(gs.mu, 1, d)
	truth := graph.Neg(graph.Div(graph.Sub(x, graph.Mul(m, mu)), vr))
	c := g.Lookup("c")
	if c == nil {
		c = g.Param("c", 1)
	}
	delta := g.Lookup("delta")
	if delta == nil {
		delta = g.Param("delta", d)
	}
	return graph.Add(graph.Mul(truth, c), delta)
}

func gaussData(n, d int, mu []float64, s0 float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 99))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = mu[i%d] + s0*r.NormFloat64()
	}
	return x
}

func meanSE(v []float64) (mean, se float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
}

// gaussLoss builds c's loss on the Gaussian data with the c/delta score and
// returns a runner of (per-sample loss, per-sample d loss/dc) at given c
// and delta.
func gaussLoss(t *testing.T, s SDE, c LossConfig, b int) func(cv float64, delta []float64) (per, dper []float64) {
	t.Helper()
	const d = 2
	mu := []float64{1, -0.5}
	gs := gaussScore{sde: s, mu: mu, s0: 0.6}
	g := graph.New()
	x0 := g.Input("x0", b, d)
	ln, err := BuildLoss(s, gs, x0, c)
	if err != nil {
		t.Fatal(err)
	}
	cp := g.Lookup("c")
	// Per-sample derivatives with respect to the scalar c, by forward mode.
	js, err := graph.JVP([]*graph.Node{ln.PerSample}, []*graph.Node{cp}, []*graph.Node{g.Fill(1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	xs := gaussData(b, d, mu, 0.6, 5)
	ref := graph.NewReference()
	ref.Seed, ref.Step = 11, 1
	return func(cv float64, delta []float64) ([]float64, []float64) {
		ref.Params["c"] = []float64{cv}
		ref.Params["delta"] = delta
		res, err := ref.Run(graph.Feeds{x0: xs}, ln.PerSample, js[0])
		if err != nil {
			t.Fatal(err)
		}
		return res[0], res[1]
	}
}

// With the true score, the derivative of the DSM loss with respect to a
// scale of the score vanishes in expectation; away from it, it points back.
func TestDSMGradientVanishesAtTrueScore(t *testing.T) {
	sdes := lossTestSDEs(t, 5, 1000)
	cfgs := []LossConfig{{}, {LikelihoodWeighting: true}, {ReduceMean: true}}
	const b = 10000
	for _, s := range sdes {
		for _, c := range cfgs {
			run := gaussLoss(t, s, c, b)
			zero := []float64{0, 0}
			_, d1 := run(1, zero)
			m1, se1 := meanSE(d1)
			_, dlo := run(0.8, zero)
			mlo, selo := meanSE(dlo)
			_, dhi := run(1.25, zero)
			mhi, sehi := meanSE(dhi)
			name := fmt.Sprintf("%v lw=%v mean=%v", s.Kind(), c.LikelihoodWeighting, c.ReduceMean)
			t.Logf("%s: dL/dc at c=0.8: %.4g±%.2g, c=1: %.4g±%.2g, c=1.25: %.4g±%.2g", name, mlo, selo, m1, se1, mhi, sehi)
			if math.Abs(m1) > 4*se1 {
				t.Errorf("%s: dL/dc at the true score = %.4g ± %.2g, want 0", name, m1, se1)
			}
			if !(mlo < -4*selo && mhi > 4*sehi) {
				t.Errorf("%s: dL/dc does not point back to c = 1", name)
			}
		}
	}
}

// Exact, sliced and variance-reduced sliced score matching are minimised by
// the true score: perturbing it (scale or shift) raises the loss, with the
// same random draws; and each equals DSM up to a model-independent constant.
func TestScoreMatchingMinimisedByTrueScore(t *testing.T) {
	sdes := lossTestSDEs(t, 5, 1000)
	const b = 6000
	zero := []float64{0, 0}
	for _, s := range sdes {
		for _, c := range []LossConfig{
			{Loss: LossExact},
			{Loss: LossSSM, NParticles: 2},
			{Loss: LossSSMVR},
			{Loss: LossSSMVR, Projection: ProjSphere, LikelihoodWeighting: true},
			{Loss: LossSSM, Projection: ProjGaussian, ReduceMean: true},
		} {
			run := gaussLoss(t, s, c, b)
			p1, d1 := run(1, zero)
			l1, _ := meanSE(p1)
			g1, gse := meanSE(d1)
			name := fmt.Sprintf("%v %s/%s lw=%v", s.Kind(), c.Loss, c.Projection, c.LikelihoodWeighting)
			if math.Abs(g1) > 4*gse {
				t.Errorf("%s: dL/dc at the truth = %.4g ± %.2g", name, g1, gse)
			}
			for _, pert := range []struct {
				c     float64
				delta []float64
			}{{0.5, zero}, {1.6, zero}, {1, []float64{0.4, -0.3}}} {
				pp, _ := run(pert.c, pert.delta)
				diff := make([]float64, b)
				for i := range diff {
					diff[i] = pp[i] - p1[i]
				}
				md, sed := meanSE(diff)
				if !(md > 4*sed) {
					t.Errorf("%s: loss(c=%g, delta=%v) - loss(truth) = %.4g ± %.2g, want > 0", name, pert.c, pert.delta, md, sed)
				}
				t.Logf("%s: L(truth) = %.4g, L(c=%g, delta=%v) - L(truth) = %.4g ± %.2g", name, l1, pert.c, pert.delta, md, sed)
			}
		}
	}
	// The objectives share dsm's scale: (L_sm - L_dsm) does not depend on
	// the model, checked between the truth and a perturbed score with the
	// same draws (t and z share their streams).
	for _, s := range sdes {
		for _, c := range []LossConfig{{Loss: LossSSMVR}, {Loss: LossExact, ReduceMean: true}, {Loss: LossSSMVR, LikelihoodWeighting: true}} {
			dsm := c
			dsm.Loss = LossDSM
			rs, rd := gaussLoss(t, s, c, b), gaussLoss(t, s, dsm, b)
			a1, _ := rs(1, zero)
			b1, _ := rd(1, zero)
			a2, _ := rs(0.7, []float64{0.2, 0.1})
			b2, _ := rd(0.7, []float64{0.2, 0.1})
			dd := make([]float64, b)
			scale := 0.0
			for i := range dd {
				dd[i] = (a2[i] - b2[i]) - (a1[i] - b1[i])
				scale += math.Abs(a2[i]-a1[i]) / b
			}
			m, se := meanSE(dd)
			t.Logf("%v %s: model-dependence of L_sm - L_dsm = %.3g ± %.2g (loss change %.3g)", s.Kind(), c.Loss, m, se, scale)
			if math.Abs(m) > 4*se {
				t.Errorf("%v %s: L_sm - L_dsm changes with the model by %.4g ± %.2g", s.Kind(), c.Loss, m, se)
			}
		}
	}
}
