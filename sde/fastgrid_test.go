package sde

import (
	"math"
	"testing"

	"github.com/sdevk/sdevk/data"
)

// TestDPMGridDefault: on VP and sub-VP the DPM-Solvers' default grid (time-
// quadratic) makes DPM-Solver++(2M)'s error against the exact probability-
// flow solution, with the exact score of configs/'s 8-Gaussian mixture, well
// below the log-SNR grid's at 10 and 20 steps; on VE the default stays the
// log-SNR grid. See FastMethod.grid for why.
func TestDPMGridDefault(t *testing.T) {
	g := data.EightGaussians()
	for _, kind := range []Kind{KindVP, KindSubVP} {
		s, err := New(Params{Kind: kind, BetaMin: 0.1, BetaMax: 20, N: 1000})
		if err != nil {
			t.Fatal(err)
		}
		score := data.NewOracle(g, s).Score
		const eps = 1e-3
		x := make([]float64, 2*300)
		PriorSample(s, x, NewNormal(11, 0))
		exact := exactFlow(t, s, score, x, eps)
		rmsErr := func(grid TimeGrid, steps int) float64 {
			p, err := FastPlan(s, FastOptions{Method: FastDPMPP2M, Steps: steps, Grid: grid, Eps: eps})
			if err != nil {
				t.Fatal(err)
			}
			y := append([]float64(nil), x...)
			p.Run(y, score, func(z []float64) { clear(z) })
			var ss float64
			for i := range y {
				ss += (y[i] - exact[i]) * (y[i] - exact[i])
			}
			return math.Sqrt(ss / float64(len(y)))
		}
		if got := (FastOptions{Method: FastDPMPP2M}).ResolvedGrid(s); got != GridQuadratic {
			t.Errorf("%v: dpmpp2m's default grid is %v, want quadratic", kind, got)
		}
		for _, steps := range []int{10, 20} {
			def, lsnr := rmsErr(GridDefault, steps), rmsErr(GridLogSNR, steps)
			t.Logf("%v dpmpp2m %d steps: rms error %.3g (default grid), %.3g (log-SNR)", kind, steps, def, lsnr)
			if !(def < 0.6*lsnr) {
				t.Errorf("%v dpmpp2m %d steps: default grid's error %.3g is not below 0.6x the log-SNR grid's %.3g", kind, steps, def, lsnr)
			}
		}
	}
	ve, err := NewVE(0.01, 10, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []FastMethod{FastDPMPP2M, FastDPMPP3S, FastDPM, FastUniPC} {
		if got := (FastOptions{Method: m}).ResolvedGrid(ve); got != GridLogSNR {
			t.Errorf("VE %v: default grid %v, want logsnr", m, got)
		}
	}
}
