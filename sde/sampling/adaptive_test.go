package sampling

import (
	"math"
	"testing"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// TestAdaptiveMatchesReference runs the adaptive SDE solver on the device
// and in float64 with the same prior and noise: the same attempts must be
// accepted and rejected, and the samples agree.
func TestAdaptiveMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	const b, d, seed = 67, 3, 5
	g := gaussian{mu: []float64{1.5, -2, 0.5}, sigma0: 0.7}
	for _, kind := range []sde.Kind{sde.KindVP, sde.KindVE} {
		s, _ := sde.New(sde.Params{Kind: kind, BetaMin: 0.1, BetaMax: 20, SigmaMin: 0.01, SigmaMax: 10, N: 1000})
		o := sde.DefaultAdaptiveOptions()
		o.RTol, o.ATol = 0.05, 0.05
		want := make([]float64, b*d)
		sde.PriorSample(s, want, sde.PhiloxNormal(seed, rng.StreamPrior))
		wst, err := sde.AdaptiveSample(s, want, d, func(x []float64, tt float64, out []float64) { g.score(s, x, tt, out) }, sde.PhiloxNormal(seed, rng.StreamPredictor), o)
		if err != nil {
			t.Fatal(err)
		}
		exec := vkexec.New(dev)
		got, res, err := AdaptiveSample(lib, s, &NetScore{Exec: exec, Build: g.build(s)}, b, d, o, seed)
		exec.Params.Release()
		if err != nil {
			t.Fatal(err)
		}
		if res.Stats != wst {
			t.Errorf("%v: device %+v, reference %+v", kind, res.Stats, wst)
		}
		scale := 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(w))
		}
		vktest.Close(t, kind.String()+" adaptive", got, want, 2e-3, 2e-3*scale)
		t.Logf("%v: %+v", kind, res.Stats)
	}
}
