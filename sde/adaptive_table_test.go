package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/graph/rng"
)

// TestAdaptiveVsEM compares, in float64 with the exact score of configs/'s
// 8-Gaussian mixture, the NFE that Euler-Maruyama and the adaptive solver
// need to bring the energy distance to exact samples within 2x, 1.5x and
// 1.2x the exact-vs-exact noise floor, and the weak error of the second
// moment E|x|^2 (8.25 exactly) within 0.1 and 0.03. A single run's ratio
// scatters by about +-0.4 around its expectation (the converged samplers of
// the NFE table sit between 0.5 and 1.6 for one seed), so each rung is the
// mean over seeds, and the energy distance cannot resolve errors much below
// the floor: the moment, whose standard error over 8 seeds is about 0.007,
// can. It runs only when SDEVK_ADAPTIVE_TABLE is set (about 9 minutes);
// SDEVK_ADAPTIVE_SEEDS sets the number of seeds (default 8).
func TestAdaptiveVsEM(t *testing.T) {
	if os.Getenv("SDEVK_ADAPTIVE_TABLE") == "" {
		t.Skip("set SDEVK_ADAPTIVE_TABLE=1 to measure EM against the adaptive solver")
	}
	seeds := 8
	if v := os.Getenv("SDEVK_ADAPTIVE_SEEDS"); v != "" {
		if _, err := fmt.Sscan(v, &seeds); err != nil || seeds < 1 {
			t.Fatalf("SDEVK_ADAPTIVE_SEEDS=%q: want a positive integer", v)
		}
	}
	const n = 10000
	g := data.EightGaussians()
	ev, err := data.Evaluate(g, g.Sample(n, rand.New(rand.NewPCG(1, 2))), 42, 5)
	if err != nil {
		t.Fatal(err)
	}
	var refs []*data.EnergyRef
	for k := uint64(0); k < 2; k++ {
		ref, err := data.NewEnergyRef(g.Sample(n, rand.New(rand.NewPCG(3, k))), 2)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	ratio := func(x []float64) float64 {
		var e float64
		for _, ref := range refs {
			v, err := ref.Distance(x)
			if err != nil {
				t.Fatal(err)
			}
			e += v / float64(len(refs))
		}
		return e / ev.NoiseFloor
	}
	var moment float64 // exact E|x|^2: the trace of the covariance plus |mean|^2
	cov, mean := g.MixtureCov(), g.MixtureMean()
	for i, m := range mean {
		moment += cov[i*len(mean)+i] + m*m
	}
	// rung runs one setting over the seeds: mean NFE, mean ratio (when
	// withRatio) and the second moment's error.
	rung := func(s SDE, withRatio bool, run func(x []float64, normal Normal) (int, error)) (nfe, r, merr float64) {
		for k := 0; k < seeds; k++ {
			seed := uint64(42 + k)
			x := make([]float64, 2*n)
			PriorSample(s, x, PhiloxNormal(seed, rng.StreamPrior))
			m, err := run(x, PhiloxNormal(seed, rng.StreamPredictor))
			if err != nil {
				t.Fatal(err)
			}
			nfe += float64(m) / float64(seeds)
			if withRatio {
				r += ratio(x) / float64(seeds)
			}
			for _, v := range x {
				merr += v * v / float64(n*seeds)
			}
		}
		return nfe, r, math.Abs(merr - moment)
	}
	ratioTh, momentTh := []float64{2, 1.5, 1.2}, []float64{0.1, 0.03}
	var table strings.Builder
	fmt.Fprintf(&table, "| SDE | sampler | NFE to ED <= 2x | <= 1.5x | <= 1.2x | NFE to E|x|^2 error <= 0.1 | <= 0.03 | NFE: ED ratio, moment error |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range []Params{
		{Kind: KindVP, BetaMin: 0.1, BetaMax: 20},
		{Kind: KindSubVP, BetaMin: 0.1, BetaMax: 20},
		{Kind: KindVE, SigmaMin: 0.01, SigmaMax: 10},
	} {
		p.N = 1000
		s, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		score := data.NewOracle(g, s).Score
		// row measures one sampler's ladder and returns the NFE at which it
		// first met each threshold, 0 where it never did.
		row := func(label string, k int, run func(i int, x []float64, normal Normal) (int, error)) []int {
			first := make([]string, len(ratioTh)+len(momentTh))
			var trace []string
			// The ladder stops once the strictest of both thresholds is met.
			done := func() bool { return first[len(ratioTh)-1] != "" && first[len(first)-1] != "" }
			for i := 0; i < k && !done(); i++ {
				withRatio := first[len(ratioTh)-1] == ""
				nfe, r, merr := rung(s, withRatio, func(x []float64, normal Normal) (int, error) { return run(i, x, normal) })
				if withRatio {
					trace = append(trace, fmt.Sprintf("%.0f: %.2f, %.3f", nfe, r, merr))
				} else {
					trace = append(trace, fmt.Sprintf("%.0f: -, %.3f", nfe, merr))
				}
				for j, th := range ratioTh {
					if first[j] == "" && withRatio && r <= th {
						first[j] = fmt.Sprintf("%.0f", nfe)
					}
				}
				for j, th := range momentTh {
					if at := len(ratioTh) + j; first[at] == "" && merr <= th {
						first[at] = fmt.Sprintf("%.0f", nfe)
					}
				}
			}
			nfe := make([]int, len(first))
			for j := range first {
				if first[j] == "" {
					first[j] = "not reached"
				} else {
					fmt.Sscan(first[j], &nfe[j])
				}
			}
			fmt.Fprintf(&table, "| %v | %s | %s | %s |\n", s.Kind(), label, strings.Join(first, " | "), strings.Join(trace, "; "))
			t.Logf("%v %s: %s", s.Kind(), label, strings.Join(trace, "; "))
			return nfe
		}
		emSteps := []int{25, 35, 50, 70, 100, 120, 140, 160, 180, 200, 250, 300, 500, 1000}
		em := row("em", len(emSteps), func(i int, x []float64, normal Normal) (int, error) {
			p := p
			p.N = emSteps[i]
			sn, err := New(p)
			if err != nil {
				return 0, err
			}
			o := DefaultPCOptions(sn)
			o.Predictor, o.Corrector = EulerMaruyama, CorrectorNone
			return PCSample(sn, x, 2, score, normal, o)
		})
		// Two tolerance ladders: rtol = atol together (the reference code's
		// default is 0.01 for both), and rtol alone at atol = 1e-3, the way
		// the paper's experiments tune it (atol fixed at the data's
		// resolution, rtol the knob).
		var ads [][]int
		for _, ladder := range []struct {
			label string
			rtol  []float64
			atol  float64 // 0: atol = rtol
		}{
			{"adaptive (rtol = atol)", []float64{0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001}, 0},
			{"adaptive (atol 1e-3)", []float64{0.5, 0.3, 0.2, 0.15, 0.12, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01}, 1e-3},
		} {
			ads = append(ads, row(ladder.label, len(ladder.rtol), func(i int, x []float64, normal Normal) (int, error) {
				o := DefaultAdaptiveOptions()
				o.RTol, o.ATol = ladder.rtol[i], ladder.atol
				if ladder.atol == 0 {
					o.ATol = ladder.rtol[i]
				}
				st, err := AdaptiveSample(s, x, 2, score, normal, o)
				return st.NFE, err
			}))
		}
		// The README's claim: at the strictest moment error the adaptive
		// solver needs fewer evaluations than Euler-Maruyama.
		for _, ad := range ads {
			a, e := ad[len(ad)-1], em[len(em)-1]
			if a == 0 || (e > 0 && a >= e) {
				t.Errorf("%v: the adaptive solver needs %d NFE for the strictest moment error, EM %d (0: not reached)", s.Kind(), a, e)
			}
			if e > 0 {
				t.Logf("%v: adaptive / EM NFE at the strictest moment error: %d / %d = %.2fx", s.Kind(), a, e, float64(a)/float64(e))
			}
		}
	}
	t.Log("\n" + table.String())
}
