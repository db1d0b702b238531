package sampling

import (
	"math"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// gaussian is data N(mu, sigma0^2 I); its perturbed score is exact:
// s(x, t) = -(x - m(t) mu) / (m(t)^2 sigma0^2 + s(t)^2).
type gaussian struct {
	mu     []float64
	sigma0 float64
}

func (g gaussian) build(s sde.SDE) func(gr *graph.Graph, x, t *graph.Node) *graph.Node {
	return func(gr *graph.Graph, x, t *graph.Node) *graph.Node {
		b := x.Shape()[0]
		m, std := sde.MarginalNodes(s, t)
		m = graph.Reshape(m, b, 1)
		std = graph.Reshape(std, b, 1)
		mu := gr.Const(g.mu, len(g.mu))
		v := graph.Add(graph.Scale(graph.Square(m), g.sigma0*g.sigma0), graph.Square(std))
		return graph.Neg(graph.Div(graph.Sub(x, graph.Mul(m, mu)), v))
	}
}

func (g gaussian) score(s sde.SDE, x []float64, t float64, out []float64) {
	m, std := s.Marginal(t)
	v := m*m*g.sigma0*g.sigma0 + std*std
	for i := range x {
		out[i] = -(x[i] - m*g.mu[i%len(g.mu)]) / v
	}
}

// referencePC replays the device's loop in float64 with the same Philox draws.
func referencePC(s sde.SDE, g gaussian, b, d int, o sde.PCOptions, seed uint64) []float64 {
	n := b * d
	x := make([]float64, n)
	rng.Normal(x, rng.Key{Seed: seed, Stream: rng.StreamPrior})
	for i := range x {
		x[i] *= s.PriorStd()
	}
	xMean, sc, z := make([]float64, n), make([]float64, n), make([]float64, n)
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	dt := -s.T() / float64(s.N())
	for i, t := range sde.Linspace(s.T(), eps, s.N()) {
		for k := 0; o.Corrector != sde.CorrectorNone && k < o.NStepsEach; k++ {
			g.score(s, x, t, sc)
			rng.Normal(z, rng.Key{Seed: seed, Stream: rng.StreamCorrector + uint32(k), Step: uint32(i)})
			if o.PerSampleSNR {
				for j := 0; j < n; j += d {
					sde.CorrectorStep(o.Corrector, s, x[j:j+d], xMean[j:j+d], sc[j:j+d], z[j:j+d], d, t, o.SNR)
				}
			} else {
				sde.CorrectorStep(o.Corrector, s, x, xMean, sc, z, d, t, o.SNR)
			}
		}
		g.score(s, x, t, sc)
		rng.Normal(z, rng.Key{Seed: seed, Stream: rng.StreamPredictor, Step: uint32(i)})
		sde.PredictorStep(o.Predictor, s, x, xMean, sc, z, t, dt, false)
	}
	if o.Denoise {
		copy(x, xMean)
	}
	return x
}

func TestPCMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	const b, d, steps = 67, 3, 23
	g := gaussian{mu: []float64{1.5, -2, 0.5}, sigma0: 0.7}
	ve, _ := sde.NewVE(0.01, 10, steps)
	vp, _ := sde.NewVP(0.1, 20, steps)
	cases := []struct {
		name string
		s    sde.SDE
		o    sde.PCOptions
	}{
		{"ve reverse+langevin", ve, sde.PCOptions{Predictor: sde.ReverseDiffusionPredictor, Corrector: sde.LangevinCorrector, SNR: 0.16, NStepsEach: 1, Denoise: true}},
		{"ve reverse+langevin per sample", ve, sde.PCOptions{Predictor: sde.ReverseDiffusionPredictor, Corrector: sde.LangevinCorrector, SNR: 0.16, NStepsEach: 2, Denoise: true, PerSampleSNR: true}},
		{"vp em", vp, sde.PCOptions{Predictor: sde.EulerMaruyama, NStepsEach: 1, Denoise: true}},
		{"vp ancestral+ald x2", vp, sde.PCOptions{Predictor: sde.AncestralSampling, Corrector: sde.AnnealedLangevinCorrector, SNR: 0.16, NStepsEach: 2}},
		{"ve ancestral", ve, sde.PCOptions{Predictor: sde.AncestralSampling, NStepsEach: 1, Denoise: true}},
	}
	for _, c := range cases {
		exec := vkexec.New(dev)
		score := &NetScore{Exec: exec, Build: g.build(c.s)}
		p, err := NewPC(lib, c.s, score, b, d, PCOptions{PCOptions: c.o, Chunk: 10}, 42)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Run()
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Samples()
		if err != nil {
			t.Fatal(err)
		}
		if counter, _ := p.Sched.Counter(); counter != steps {
			t.Errorf("%s: counter %d after %d steps", c.name, counter, steps)
		}
		want := referencePC(c.s, g, b, d, c.o, 42)
		scale := 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(w))
		}
		vktest.Close(t, c.name, got, want, 2e-3, 2e-3*scale)
		if per := res.NFE / steps; per < 1 {
			t.Errorf("%s: NFE %d for %d steps", c.name, res.NFE, steps)
		}
		p.Close()
		exec.Params.Release()
	}
}
