package sde

import (
	"math"
	"testing"

	"github.com/sdevk/sdevk/data"
)

// fastMixture is a 2-D two-component mixture with its exact perturbed score.
func fastMixture(t *testing.T, s SDE) ScoreFunc {
	t.Helper()
	g, err := data.NewGMM([]data.Component{
		{Weight: 0.7, Mean: []float64{1.5, -0.5}, Std: 0.4},
		{Weight: 0.3, Mean: []float64{-1, 1}, Std: 0.6},
	})
	if err != nil {
		t.Fatal(err)
	}
	return data.NewOracle(g, s).Score
}

// exactFlow is the probability-flow ODE solved from x at T to eps by RK45
// at rtol = atol = 1e-9: the "exact" solution of the order test.
func exactFlow(t *testing.T, s SDE, score ScoreFunc, x []float64, eps float64) []float64 {
	t.Helper()
	y := append([]float64(nil), x...)
	if _, err := SolveRK45(ProbabilityFlow(s, score), s.T(), eps, y, RK45Options{RTol: 1e-9, ATol: 1e-9}); err != nil {
		t.Fatal(err)
	}
	return y
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// TestFastConvergenceOrder measures each deterministic few-step sampler's
// error against the exact ODE solution at two step counts and checks the
// log-log slope against the method's order. The EDM samplers end with an
// Euler step into sigma = 0, which is x0_hat at eps: their exact answer is
// x0_hat of the exact solution at eps.
func TestFastConvergenceOrder(t *testing.T) {
	for _, kind := range []Kind{KindVP, KindSubVP} {
		s, err := New(Params{Kind: kind, BetaMin: 0.1, BetaMax: 20, N: 1000})
		if err != nil {
			t.Fatal(err)
		}
		score := fastMixture(t, s)
		const eps = 1e-3
		x := make([]float64, 16)
		NewNormal(3, 0)(x)
		exact := exactFlow(t, s, score, x, eps)
		m, std := s.Marginal(eps)
		sc := make([]float64, len(exact))
		score(exact, eps, sc)
		exactD := make([]float64, len(exact))
		for i := range exact {
			exactD[i] = dataPred(exact[i], sc[i], m, std)
		}
		cases := []struct {
			o     FastOptions
			order float64
			n     int // the coarser step count (the finer is 2n)
		}{
			{FastOptions{Method: FastDDIM}, 1, 20},
			{FastOptions{Method: FastDDIM, Grid: GridLogSNR}, 1, 20},
			{FastOptions{Method: FastDPMPP2M}, 2, 80},
			{FastOptions{Method: FastDPMPP3S}, 3, 80},
			{FastOptions{Method: FastUniPC}, 3, 80},
			{FastOptions{Method: FastDPM, Order: 2}, 2, 40},
			{FastOptions{Method: FastDPM, Order: 3}, 3, 80},
			{FastOptions{Method: FastEuler, Rho: 7}, 1, 40},
			{FastOptions{Method: FastHeun, Rho: 7}, 2, 40},
		}
		for _, c := range cases {
			errAt := func(n int) float64 {
				o := c.o
				o.Steps, o.Eps = n, eps
				p, err := FastPlan(s, o)
				if err != nil {
					t.Fatal(err)
				}
				y := append([]float64(nil), x...)
				p.Run(y, score, func(z []float64) { clear(z) })
				if c.o.Method == FastEuler || c.o.Method == FastHeun {
					return maxAbsDiff(y, exactD)
				}
				return maxAbsDiff(y, exact)
			}
			e1, e2 := errAt(c.n), errAt(2*c.n)
			slope := math.Log2(e1 / e2)
			t.Logf("%v %v grid %v: error %.3g at %d steps, %.3g at %d: order %.2f", kind, c.o.Method, c.o.Grid, e1, c.n, e2, 2*c.n, slope)
			if slope < c.order-0.3 {
				t.Errorf("%v %v grid %v: measured order %.2f, want about %g", kind, c.o.Method, c.o.Grid, slope, c.order)
			}
		}
	}
}

// TestPlanCoefficients checks that every stage of every few-step plan is
// the affine map its Coefficients say, on random registers, score and
// noise: the device applies those coefficients.
func TestPlanCoefficients(t *testing.T) {
	s, _ := NewVP(0.1, 20, 1000)
	normal := NewNormal(7, 1)
	for m := FastDDIM; m <= FastUniPC; m++ {
		o := DefaultFastOptions(m, 6)
		o.Eta = 0.5
		p, err := FastPlan(s, o)
		if err != nil {
			t.Fatal(err)
		}
		for k := range p.Stages {
			in := make([]float64, p.Regs+2)
			normal(in)
			c := p.Coefficients(k)
			reg := append([]float64(nil), in[:p.Regs]...)
			p.Stages[k].Update(reg, in[p.Regs], in[p.Regs+1])
			for j, row := range c {
				want := row[len(row)-1]
				for i, v := range in {
					want += row[i] * v
				}
				if math.Abs(reg[j]-want) > 1e-9*(1+math.Abs(want)) {
					t.Errorf("%v stage %d register %d: update %g, coefficients %g", m, k, j, reg[j], want)
				}
			}
		}
	}
}

// TestAdaptiveSample checks the adaptive solver's bookkeeping and that it
// lands on the data: the sample mean and variance of a Gaussian.
func TestAdaptiveSample(t *testing.T) {
	s, _ := NewVP(0.1, 20, 1000)
	const mu, s0, n = 1.5, 0.5, 4000
	score := func(x []float64, tt float64, out []float64) {
		m, sd := s.Marginal(tt)
		for i, v := range x {
			out[i] = -(v - m*mu) / (m*m*s0*s0 + sd*sd)
		}
	}
	x := make([]float64, n)
	NewNormal(1, 0)(x)
	st, err := AdaptiveSample(s, x, 1, score, NewNormal(1, 1), DefaultAdaptiveOptions())
	if err != nil {
		t.Fatal(err)
	}
	if st.NFE != 2*(st.Accepted+st.Rejected)+1 || st.Accepted < 5 {
		t.Errorf("stats %+v: NFE must be 2 per attempt plus the denoising step", st)
	}
	var mean, v float64
	for _, e := range x {
		mean += e / n
	}
	for _, e := range x {
		v += (e - mean) * (e - mean) / n
	}
	if math.Abs(mean-mu) > 0.05 || math.Abs(math.Sqrt(v)-s0) > 0.05 {
		t.Errorf("adaptive samples: mean %.3f std %.3f, want %g, %g (stats %+v)", mean, math.Sqrt(v), mu, s0, st)
	}
	t.Logf("adaptive: %+v, mean %.3f std %.3f", st, mean, math.Sqrt(v))
	o := DefaultAdaptiveOptions()
	o.RTol = 0
	if _, err := AdaptiveSample(s, x, 1, score, NewNormal(1, 1), o); err == nil {
		t.Error("rtol 0 accepted")
	}
}

// TestTimes: every grid runs from T down to eps, strictly decreasing, and is
// uniform in its own variable (t, log-SNR, sigma^(1/rho), sqrt(t)).
func TestTimes(t *testing.T) {
	ve, _ := NewVE(0.01, 50, 1000)
	subvp, _ := NewSubVP(0.1, 20, 1000)
	for _, s := range []SDE{ve, subvp} {
		for _, c := range []struct {
			g TimeGrid
			f func(float64) float64
		}{
			{GridUniform, func(t float64) float64 { return t }},
			{GridLogSNR, func(t float64) float64 { return LogSNR(s, t) }},
			{GridKarras, func(t float64) float64 { return math.Pow(SigmaView(s, t), 1.0/7) }},
			{GridQuadratic, math.Sqrt},
		} {
			ts, err := Times(s, c.g, 9, 1e-3, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 9 || ts[0] != s.T() || ts[8] != 1e-3 {
				t.Fatalf("%v %v: %v", s.Kind(), c.g, ts)
			}
			step := (c.f(ts[8]) - c.f(ts[0])) / 8
			for i := 1; i < len(ts); i++ {
				if !(ts[i] < ts[i-1]) {
					t.Errorf("%v %v: not decreasing at %d: %v", s.Kind(), c.g, i, ts)
				}
				if d := c.f(ts[i]) - c.f(ts[i-1]); math.Abs(d-step) > 1e-6*math.Abs(step) {
					t.Errorf("%v %v: spacing %g at %d, want %g", s.Kind(), c.g, d, i, step)
				}
			}
		}
	}
	if _, err := Times(ve, GridUniform, 1, 1e-3, 7); err == nil {
		t.Error("a 1-point grid accepted")
	}
	if _, err := Times(ve, GridUniform, 5, 2, 7); err == nil {
		t.Error("eps beyond T accepted")
	}
}
