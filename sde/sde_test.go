package sde

import (
	"math"
	"strings"
	"testing"
)

func mustSDEs(t *testing.T) []SDE {
	t.Helper()
	ve, err := NewVE(0.01, 50, 1000)
	if err != nil {
		t.Fatal(err)
	}
	vp, err := NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := NewSubVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return []SDE{ve, vp, sub}
}

// closedForm is the reference doc's table, written independently of the
// implementation.
func closedForm(s SDE, t float64) (mean, std float64) {
	switch v := s.(type) {
	case *VE:
		return 1, v.SigmaMin * math.Pow(v.SigmaMax/v.SigmaMin, t)
	case *VP:
		lmc := -t*t*(v.BetaMax-v.BetaMin)/4 - t*v.BetaMin/2
		return math.Exp(lmc), math.Sqrt(1 - math.Exp(2*lmc))
	case *SubVP:
		lmc := -t*t*(v.BetaMax-v.BetaMin)/4 - t*v.BetaMin/2
		return math.Exp(lmc), 1 - math.Exp(2*lmc)
	}
	panic("unknown")
}

func TestMarginalClosedForm(t *testing.T) {
	for _, s := range mustSDEs(t) {
		for _, tt := range []float64{1e-5, 1e-3, 0.1, 0.25, 0.5, 0.75, 1} {
			m, sd := s.Marginal(tt)
			cm, cs := closedForm(s, tt)
			if math.Abs(m-cm) > 1e-12*cm || math.Abs(sd-cs) > 1e-9*cs+1e-15 {
				t.Errorf("%v t=%g: marginal (%g, %g), closed form (%g, %g)", s.Kind(), tt, m, sd, cm, cs)
			}
		}
	}
}

func TestMarginalEndpoints(t *testing.T) {
	sdes := mustSDEs(t)
	cases := []struct {
		s          SDE
		t          float64
		mean, std  float64
		meanTol    float64
		stdTol     float64
		prior, eps float64
	}{
		{sdes[0], 0, 1, 0.01, 0, 1e-15, 50, 1e-5},
		{sdes[0], 1, 1, 50, 0, 1e-12, 50, 1e-5},
		{sdes[1], 0, 1, 0, 0, 0, 1, 1e-3},
		{sdes[1], 1, math.Exp(-5.025), math.Sqrt(1 - math.Exp(-10.05)), 1e-15, 1e-12, 1, 1e-3},
		{sdes[2], 1, math.Exp(-5.025), 1 - math.Exp(-10.05), 1e-15, 1e-12, 1, 1e-3},
	}
	for _, c := range cases {
		m, s := c.s.Marginal(c.t)
		if math.Abs(m-c.mean) > c.meanTol || math.Abs(s-c.std) > c.stdTol {
			t.Errorf("%v t=%g: got (%g,%g) want (%g,%g)", c.s.Kind(), c.t, m, s, c.mean, c.std)
		}
		if c.s.PriorStd() != c.prior || c.s.DefaultEps() != c.eps {
			t.Errorf("%v: prior std %g eps %g", c.s.Kind(), c.s.PriorStd(), c.s.DefaultEps())
		}
	}
}

// TestMarginalMomentODE integrates the moment ODEs of the linear SDE,
// m' = a(t) m and v' = 2 a(t) v + g(t)^2, with RK4 and compares them with
// Marginal. v(0) = std(0)^2 (sigma_min^2 for VE by score_sde's convention).
func TestMarginalMomentODE(t *testing.T) {
	for _, s := range mustSDEs(t) {
		_, s0 := s.Marginal(0)
		m, v := 1.0, s0*s0
		const steps = 4000
		h := 1.0 / steps
		rhs := func(tt, m, v float64) (float64, float64) {
			a, g := s.DriftCoef(tt), s.Diffusion(tt)
			return a * m, 2*a*v + g*g
		}
		for k := 0; k < steps; k++ {
			tt := float64(k) * h
			k1m, k1v := rhs(tt, m, v)
			k2m, k2v := rhs(tt+h/2, m+h/2*k1m, v+h/2*k1v)
			k3m, k3v := rhs(tt+h/2, m+h/2*k2m, v+h/2*k2v)
			k4m, k4v := rhs(tt+h, m+h*k3m, v+h*k3v)
			m += h / 6 * (k1m + 2*k2m + 2*k3m + k4m)
			v += h / 6 * (k1v + 2*k2v + 2*k3v + k4v)
			if (k+1)%400 == 0 {
				te := float64(k+1) * h
				cm, cs := s.Marginal(te)
				if math.Abs(m-cm) > 1e-9*math.Max(cm, 1e-3) || math.Abs(v-cs*cs) > 1e-8*cs*cs {
					t.Errorf("%v t=%.2f: ODE moments (%.12g, %.12g) vs marginal (%.12g, %.12g)", s.Kind(), te, m, v, cm, cs*cs)
				}
			}
		}
	}
}

// TestForwardSDEMonteCarlo simulates the forward SDE with fine Euler-Maruyama
// from a point mass (plus std(0) noise) and checks mean and variance at t = 1
// within Monte Carlo error.
func TestForwardSDEMonteCarlo(t *testing.T) {
	const paths, steps = 20000, 500
	for _, s := range mustSDEs(t) {
		normal := NewNormal(7, uint64(s.Kind()))
		x0 := 2.0
		_, s0 := s.Marginal(0)
		x := make([]float64, paths)
		z := make([]float64, paths)
		normal(x)
		for i := range x {
			x[i] = x0 + s0*x[i]
		}
		h := 1.0 / steps
		for k := 0; k < steps; k++ {
			tt := float64(k) * h
			a, g := s.DriftCoef(tt), s.Diffusion(tt)
			normal(z)
			for i := range x {
				x[i] += a*x[i]*h + g*math.Sqrt(h)*z[i]
			}
		}
		var mu, m2 float64
		for _, v := range x {
			mu += v
		}
		mu /= paths
		for _, v := range x {
			m2 += (v - mu) * (v - mu)
		}
		m2 /= paths - 1
		cm, cs := s.Marginal(1)
		if math.Abs(mu-cm*x0) > 4*cs/math.Sqrt(paths)+0.01*cm*x0 {
			t.Errorf("%v: MC mean %g want %g", s.Kind(), mu, cm*x0)
		}
		if math.Abs(m2/(cs*cs)-1) > 4*math.Sqrt(2.0/paths)+0.02 {
			t.Errorf("%v: MC var %g want %g", s.Kind(), m2, cs*cs)
		}
	}
}

func TestDiscretisations(t *testing.T) {
	sdes := mustSDEs(t)
	ve, vp, sub := sdes[0].(*VE), sdes[1].(*VP), sdes[2].(*SubVP)
	// SMLD: sum of G_i^2 over the chain telescopes to sigma_max^2.
	var sum float64
	for i := 0; i < ve.N(); i++ {
		f, G := ve.Discretize((float64(i) + 0.5) / float64(ve.N()-1))
		if f != 0 {
			t.Fatalf("VE fcoef %g", f)
		}
		sum += G * G
	}
	if math.Abs(sum-2500) > 1e-9 {
		t.Errorf("SMLD sum G^2 = %g, want 2500", sum)
	}
	// DDPM: prod sqrt(alpha_i) approximates the continuous mean coefficient
	// at T up to the O(sum beta_i^2) term, exp(-sum beta_i^2 / 4) ~ 0.967 here.
	prod := 1.0
	for i := 0; i < vp.N(); i++ {
		tt := (float64(i) + 0.5) / float64(vp.N()-1)
		f, G := vp.Discretize(tt)
		prod *= 1 + f
		if math.Abs(G*G-vp.DiscreteBeta(tt)) > 1e-15 {
			t.Fatalf("VP G^2 != beta_i")
		}
	}
	m1, _ := vp.Marginal(1)
	if math.Abs(prod/m1-1) > 0.05 {
		t.Errorf("DDPM prod sqrt(alpha) = %g vs continuous mean %g", prod, m1)
	}
	if b := vp.DiscreteBetas(); math.Abs(b[0]-1e-4) > 1e-18 || math.Abs(b[999]-0.02) > 1e-15 {
		t.Errorf("DDPM betas endpoints %g %g", b[0], b[999])
	}
	// sub-VP: Euler-Maruyama with dt = 1/N.
	f, G := sub.Discretize(0.5)
	if math.Abs(f-sub.DriftCoef(0.5)/1000) > 1e-15 || math.Abs(G-sub.Diffusion(0.5)*math.Sqrt(1e-3)) > 1e-15 {
		t.Errorf("sub-VP discretisation (%g, %g)", f, G)
	}
}

func TestTimeIndexAndLadders(t *testing.T) {
	ve, _ := NewVE(0.01, 50, 1000)
	cases := []struct {
		t    float64
		want int
	}{{0, 0}, {1, 999}, {0.5, 499}, {1e-5, 0}, {-1, 0}, {2, 999}}
	for _, c := range cases {
		if got := TimeIndex(ve, c.t); got != c.want {
			t.Errorf("TimeIndex(%g) = %d want %d", c.t, got, c.want)
		}
	}
	// PC grid indices are all distinct and decreasing.
	prev := 1000
	for _, tt := range Linspace(1, 1e-3, 1000) {
		i := TimeIndex(ve, tt)
		if i != prev-1 {
			t.Fatalf("grid index %d after %d", i, prev)
		}
		prev = i
	}
	sig := GeometricSigmas(1, 0.01, 10)
	if math.Abs(sig[0]-1) > 1e-15 || math.Abs(sig[9]-0.01) > 1e-15 || math.Abs(sig[1]/sig[0]-math.Pow(0.01, 1.0/9)) > 1e-12 {
		t.Errorf("GeometricSigmas %v", sig)
	}
	if got := ve.TimeOfSigma(ve.Sigma(0.3)); math.Abs(got-0.3) > 1e-12 {
		t.Errorf("TimeOfSigma %g", got)
	}
}

func TestSubVPBelowVP(t *testing.T) {
	vp, _ := NewVP(0.1, 20, 1000)
	sub, _ := NewSubVP(0.1, 20, 1000)
	for _, tt := range Linspace(0.01, 1, 20) {
		_, a := vp.Marginal(tt)
		_, b := sub.Marginal(tt)
		if !(b < a) {
			t.Errorf("t=%g: sub-VP std %g not below VP %g", tt, b, a)
		}
		if !(sub.Diffusion(tt) < vp.Diffusion(tt)) {
			t.Errorf("t=%g: sub-VP g not below VP g", tt)
		}
	}
}

func TestBadParams(t *testing.T) {
	cases := []struct {
		name string
		p    Params
	}{
		{"ve sigma order", Params{Kind: KindVE, SigmaMin: 1, SigmaMax: 0.5, N: 10}},
		{"ve zero min", Params{Kind: KindVE, SigmaMin: 0, SigmaMax: 5, N: 10}},
		{"vp neg beta", Params{Kind: KindVP, BetaMin: -1, BetaMax: 20, N: 10}},
		{"subvp N", Params{Kind: KindSubVP, BetaMin: 0.1, BetaMax: 20, N: 1}},
	}
	for _, c := range cases {
		if _, err := New(c.p); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestDiscreteChainAtFewSteps: VP and sub-VP build at any N >= 2, but
// their discrete chain (beta_max / N < 1) exists only past beta_max steps,
// and only the samplers stepping along it need it.
func TestDiscreteChainAtFewSteps(t *testing.T) {
	for _, k := range []Kind{KindVP, KindSubVP} {
		few, err := New(Params{Kind: k, BetaMin: 0.1, BetaMax: 20, N: 10})
		if err != nil {
			t.Fatalf("%v at N = 10: %v", k, err)
		}
		if err := DiscreteChainErr(few); err == nil || !strings.Contains(err.Error(), "more than 20 steps") {
			t.Errorf("%v at N = 10: chain error %v, want one naming the steps needed", k, err)
		}
		many, _ := New(Params{Kind: k, BetaMin: 0.1, BetaMax: 20, N: 21})
		if err := DiscreteChainErr(many); err != nil {
			t.Errorf("%v at N = 21: %v", k, err)
		}
	}
	ve, _ := NewVE(0.01, 50, 10)
	if DiscreteChainErr(ve) != nil {
		t.Error("VE has a chain error")
	}
	// The exported samplers refuse too (before any step: no NaN).
	vp, _ := NewVP(0.1, 20, 10)
	x := make([]float64, 4)
	_, err := PCSample(vp, x, 2, func(x []float64, t float64, out []float64) {}, nil, PCOptions{Predictor: AncestralSampling})
	if err == nil || !strings.Contains(err.Error(), "needed by the ancestral_sampling predictor") {
		t.Errorf("PCSample with the ancestral predictor at N = 10: %v", err)
	}
	for _, c := range []struct {
		k     Kind
		p     Predictor
		c     Corrector
		users string
	}{
		{KindVP, EulerMaruyama, CorrectorNone, ""},
		{KindVP, AncestralSampling, CorrectorNone, "the ancestral_sampling predictor"},
		{KindVP, ReverseDiffusionPredictor, LangevinCorrector, "the reverse_diffusion predictor and the langevin corrector"},
		{KindSubVP, ReverseDiffusionPredictor, CorrectorNone, ""},
		{KindSubVP, EulerMaruyama, LangevinCorrector, "the langevin corrector"},
		{KindVE, AncestralSampling, LangevinCorrector, ""},
	} {
		if got := DiscreteChainUsers(c.k, c.p, c.c); got != c.users {
			t.Errorf("DiscreteChainUsers(%v, %v, %v) = %q, want %q", c.k, c.p, c.c, got, c.users)
		}
	}
}

func TestParseNames(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Kind
	}{{"ve", KindVE}, {"VP", KindVP}, {"subvp", KindSubVP}, {"sub-vp", KindSubVP}} {
		if k, err := ParseKind(c.in); err != nil || k != c.want {
			t.Errorf("ParseKind(%q) = %v, %v", c.in, k, err)
		}
	}
	for _, bad := range []string{"vpe", "x"} {
		if _, err := ParseKind(bad); err == nil {
			t.Errorf("ParseKind(%q) no error", bad)
		}
	}
	for _, name := range PredictorNames {
		if p, err := ParsePredictor(name); err != nil || p.String() != name {
			t.Errorf("predictor %q -> %v %v", name, p, err)
		}
	}
	for _, name := range CorrectorNames {
		if c, err := ParseCorrector(name); err != nil || c.String() != name {
			t.Errorf("corrector %q -> %v %v", name, c, err)
		}
	}
	if _, err := ParsePredictor("leapfrog"); err == nil {
		t.Error("bad predictor accepted")
	}
	if _, err := ParseCorrector("hmc"); err == nil {
		t.Error("bad corrector accepted")
	}
}

func TestPriorLogP(t *testing.T) {
	for _, s := range mustSDEs(t) {
		z := []float64{0.3, -1.2, 2, 0.5}
		out := make([]float64, 2)
		PriorLogP(s, z, 2, out)
		ps := s.PriorStd()
		for i := 0; i < 2; i++ {
			want := 0.0
			for _, v := range z[2*i : 2*i+2] {
				want += -0.5*math.Log(2*math.Pi*ps*ps) - v*v/(2*ps*ps)
			}
			if math.Abs(out[i]-want) > 1e-12 {
				t.Errorf("%v prior logp %g want %g", s.Kind(), out[i], want)
			}
		}
	}
}

func TestScoreParameterisation(t *testing.T) {
	vp, _ := NewVP(0.1, 20, 1000)
	ve, _ := NewVE(0.01, 50, 1000)
	net := []float64{1, -2}
	out := make([]float64, 2)
	_, std := vp.Marginal(0.4)
	NetToScore(vp, 0.4, net, false, out)
	if out[0] != -1/std || out[1] != 2/std {
		t.Errorf("VP score %v", out)
	}
	back := make([]float64, 2)
	NoiseFromScore(out, std, back)
	if math.Abs(back[0]-1) > 1e-15 || math.Abs(back[1]+2) > 1e-15 {
		t.Errorf("round trip %v", back)
	}
	NetToScore(ve, 0.4, net, true, out)
	if math.Abs(out[0]-1/ve.Sigma(0.4)) > 1e-15 {
		t.Errorf("VE scaled %v", out)
	}
	NetToScore(ve, 0.4, net, false, out)
	if out[0] != 1 || out[1] != -2 {
		t.Errorf("VE unscaled %v", out)
	}
}

func TestBitsPerDim(t *testing.T) {
	// A uniform density on [0,1]^D has log p = 0 and its dequantised 8-bit
	// data costs exactly 8 bits per dim; on [-1,1]^D, log p = -D ln 2, 8 bits too.
	cases := []struct {
		logp  float64
		d     int
		width float64
		want  float64
	}{
		{0, 3, 1, 8},
		{-3 * math.Ln2, 3, 2, 8},
		{-10, 5, 1, 10/(5*math.Ln2) + 8},
		{-10, 5, 2, 10/(5*math.Ln2) + 7},
	}
	for _, c := range cases {
		if got := BitsPerDim(c.logp, c.d, c.width); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("BitsPerDim(%g,%d,%g) = %g want %g", c.logp, c.d, c.width, got, c.want)
		}
	}
	x := make([]float64, 2)
	Dequantize(x, []uint8{0, 255}, []float64{0.5, 0.999}, -1, 2)
	if math.Abs(x[0]-(-1+2*0.5/256)) > 1e-15 || !(x[1] < 1) {
		t.Errorf("Dequantize %v", x)
	}
}
