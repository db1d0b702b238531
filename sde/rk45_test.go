package sde

import (
	"math"
	"testing"
)

// TestRK45MatchesScipy compares SolveRK45 with scipy 1.10.1's
// solve_ivp(method="RK45") on three problems: the NFE must be equal and the
// end states agree to rounding. Reference values from:
//
//	A: VP probability flow of N(2, 0.5^2) data, x_T = (-1.5, 0.3, 2), 1 -> 1e-3, rtol = atol = 1e-5
//	B: harmonic oscillator (1, 0), 0 -> 10, rtol 1e-6, atol 1e-9
//	C: Van der Pol mu = 1 (2, 0), 0 -> 5, rtol 1e-4, atol 1e-7
func TestRK45MatchesScipy(t *testing.T) {
	vp, _ := NewVP(0.1, 20, 1000)
	const mu, s0 = 2.0, 0.5
	gaussFlow := func(tt float64, x, dx []float64) {
		m, sd := vp.Marginal(tt)
		beta := vp.Beta(tt)
		for i, v := range x {
			s := -(v - m*mu) / (m*m*s0*s0 + sd*sd)
			dx[i] = -0.5*beta*v - 0.5*beta*s
		}
	}
	cases := []struct {
		name       string
		f          ODEFunc
		t0, t1     float64
		y0         []float64
		rtol, atol float64
		nfe        int
		want       []float64
	}{
		{"A", gaussFlow, 1, 1e-3, []float64{-1.5, 0.3, 2}, 1e-5, 1e-5, 74,
			[]float64{1.2431845927370273, 2.143344829575102, 2.993496164366617}},
		{"B", func(_ float64, y, dy []float64) { dy[0], dy[1] = y[1], -y[0] }, 0, 10, []float64{1, 0}, 1e-6, 1e-9, 368,
			[]float64{-0.8390702711327028, 0.5440208634405764}},
		{"C", func(_ float64, y, dy []float64) { dy[0], dy[1] = y[1], (1-y[0]*y[0])*y[1]-y[0] }, 0, 5, []float64{2, 0}, 1e-4, 1e-7, 152,
			[]float64{-0.8368916350430999, 1.3072590526441228}},
	}
	for _, c := range cases {
		y := append([]float64(nil), c.y0...)
		st, err := SolveRK45(c.f, c.t0, c.t1, y, RK45Options{RTol: c.rtol, ATol: c.atol})
		if err != nil {
			t.Fatal(err)
		}
		if st.NFE != c.nfe {
			t.Errorf("%s: NFE %d, scipy %d", c.name, st.NFE, c.nfe)
		}
		if st.NFE != 2+6*(st.Steps+st.Rejected) {
			t.Errorf("%s: NFE %d inconsistent with %d+%d steps", c.name, st.NFE, st.Steps, st.Rejected)
		}
		for i := range y {
			if math.Abs(y[i]-c.want[i]) > 1e-12*math.Max(1, math.Abs(c.want[i])) {
				t.Errorf("%s: y[%d] = %.17g, scipy %.17g", c.name, i, y[i], c.want[i])
			}
		}
	}
}

// TestProbabilityFlowGaussian: for Gaussian data N(mu, s0^2) the flow keeps
// xi = (x - m(t) mu) / sqrt(m^2 s0^2 + std^2) constant, so every solver must
// map x_T to m(eps) mu + sqrt(m^2 s0^2 + std^2)(eps) xi.
func TestProbabilityFlowGaussian(t *testing.T) {
	const mu, s0 = -1.0, 0.7
	for _, k := range []Kind{KindVE, KindVP, KindSubVP} {
		s, _ := New(Params{Kind: k, SigmaMin: 0.01, SigmaMax: 20, BetaMin: 0.1, BetaMax: 20, N: 1000})
		sd := func(tt float64) (float64, float64) {
			m, st := s.Marginal(tt)
			return m, math.Sqrt(m*m*s0*s0 + st*st)
		}
		score := func(x []float64, tt float64, out []float64) {
			m, v := sd(tt)
			for i := range x {
				out[i] = -(x[i] - m*mu) / (v * v)
			}
		}
		xi := []float64{-2, -0.5, 0, 1, 2.5}
		mT, vT := sd(1)
		for _, c := range []struct {
			m     ODEMethod
			steps int
			tol   float64
		}{{RK45, 0, 2e-4}, {Heun, 200, 2e-3}, {Euler, 2000, 2e-2}} {
			x := make([]float64, len(xi))
			for i := range x {
				x[i] = mT*mu + vT*xi[i]
			}
			nfe, _, err := ODESample(s, x, 1, score, ODEOptions{Method: c.m, RTol: 1e-6, ATol: 1e-6, Steps: c.steps, Eps: 1e-3})
			if err != nil {
				t.Fatal(err)
			}
			me, ve := sd(1e-3)
			worst := 0.0
			for i := range x {
				worst = math.Max(worst, math.Abs(x[i]-(me*mu+ve*xi[i]))/ve)
			}
			t.Logf("%v %v: worst error %.2e (in units of the std at eps), NFE %d", k, c.m, worst, nfe)
			if worst > c.tol {
				t.Errorf("%v %v: error %.3g above %.3g", k, c.m, worst, c.tol)
			}
		}
	}
}
