package sde

import (
	"math"
	"testing"
)

// TestPredictorStepFormulas checks each predictor update against its formula
// written out by hand at one point, so device kernels have a single-step
// reference.
func TestPredictorStepFormulas(t *testing.T) {
	ve, _ := NewVE(0.01, 50, 100)
	vp, _ := NewVP(0.1, 20, 100)
	sub, _ := NewSubVP(0.1, 20, 100)
	const tt, dt = 0.5, -0.01
	x0, sc, z := 1.5, -0.7, 0.3
	sigI, sigP := ve.AdjacentSigma(tt)
	betaI := vp.DiscreteBeta(tt)
	cases := []struct {
		name      string
		p         Predictor
		s         SDE
		pf        bool
		wantMean  float64
		wantNoise float64 // coefficient of z
	}{
		{"EM VE", EulerMaruyama, ve, false, x0 + (0-ve.Diffusion(tt)*ve.Diffusion(tt)*sc)*dt, ve.Diffusion(tt) * math.Sqrt(-dt)},
		{"EM VP", EulerMaruyama, vp, false, x0 + (-0.5*vp.Beta(tt)*x0-vp.Beta(tt)*sc)*dt, math.Sqrt(vp.Beta(tt)) * math.Sqrt(-dt)},
		{"EM VP flow", EulerMaruyama, vp, true, x0 + (-0.5*vp.Beta(tt)*x0-0.5*vp.Beta(tt)*sc)*dt, 0},
		{"reverse VE", ReverseDiffusionPredictor, ve, false, x0 + (sigI*sigI-sigP*sigP)*sc, math.Sqrt(sigI*sigI - sigP*sigP)},
		{"reverse VP", ReverseDiffusionPredictor, vp, false, x0 - ((math.Sqrt(1-betaI)-1)*x0 - betaI*sc), math.Sqrt(betaI)},
		{"reverse subVP", ReverseDiffusionPredictor, sub, false,
			x0 - (sub.DriftCoef(tt)*0.01*x0 - sub.Diffusion(tt)*sub.Diffusion(tt)*0.01*sc), sub.Diffusion(tt) * 0.1},
		{"ancestral VE", AncestralSampling, ve, false, x0 + (sigI*sigI-sigP*sigP)*sc, math.Sqrt(sigP * sigP * (sigI*sigI - sigP*sigP) / (sigI * sigI))},
		{"ancestral VP", AncestralSampling, vp, false, (x0 + betaI*sc) / math.Sqrt(1-betaI), math.Sqrt(betaI)},
		{"none", PredictorNone, vp, false, x0, 0},
	}
	for _, c := range cases {
		x, xm := []float64{x0}, []float64{0}
		if err := PredictorStep(c.p, c.s, x, xm, []float64{sc}, []float64{z}, tt, dt, c.pf); err != nil {
			t.Fatal(err)
		}
		if math.Abs(xm[0]-c.wantMean) > 1e-12*math.Max(1, math.Abs(c.wantMean)) || math.Abs(x[0]-(c.wantMean+c.wantNoise*z)) > 1e-12*math.Max(1, math.Abs(x[0])) {
			t.Errorf("%s: x_mean %.15g x %.15g, want %.15g %.15g", c.name, xm[0], x[0], c.wantMean, c.wantMean+c.wantNoise*z)
		}
	}
	if err := PredictorStep(AncestralSampling, sub, []float64{1}, []float64{0}, []float64{1}, []float64{1}, tt, dt, false); err == nil {
		t.Error("ancestral sub-VP accepted")
	}
}

func TestCorrectorStepFormulas(t *testing.T) {
	ve, _ := NewVE(0.01, 50, 100)
	vp, _ := NewVP(0.1, 20, 100)
	// two 2-D points: score norms 5 and 1 (mean 3), noise norms 1 and 3 (mean 2)
	score := []float64{3, 4, 0, 1}
	z := []float64{1, 0, 0, -3}
	x := []float64{0.1, 0.2, 0.3, 0.4}
	const tt, snr = 0.3, 0.16
	eLang := 2 * (snr * 2.0 / 3.0) * (snr * 2.0 / 3.0)
	_, std := vp.Marginal(tt)
	cases := []struct {
		name string
		c    Corrector
		s    SDE
		e    float64
	}{
		{"langevin VE", LangevinCorrector, ve, eLang},
		{"langevin VP", LangevinCorrector, vp, eLang * vp.Alpha(tt)},
		{"ald VE", AnnealedLangevinCorrector, ve, 2 * (snr * ve.Sigma(tt)) * (snr * ve.Sigma(tt))},
		{"ald VP", AnnealedLangevinCorrector, vp, 2 * vp.Alpha(tt) * (snr * std) * (snr * std)},
	}
	for _, c := range cases {
		xx := append([]float64(nil), x...)
		xm := make([]float64, 4)
		e, err := CorrectorStep(c.c, c.s, xx, xm, score, z, 2, tt, snr)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e-c.e) > 1e-14*c.e {
			t.Errorf("%s: step %g want %g", c.name, e, c.e)
		}
		for i := range x {
			wm := x[i] + c.e*score[i]
			if math.Abs(xm[i]-wm) > 1e-12 || math.Abs(xx[i]-(wm+math.Sqrt(2*c.e)*z[i])) > 1e-12 {
				t.Errorf("%s: element %d: %g %g", c.name, i, xm[i], xx[i])
			}
		}
	}
	if _, err := CorrectorStep(LangevinCorrector, ve, []float64{1}, []float64{0}, []float64{0}, []float64{1}, 1, tt, snr); err == nil {
		t.Error("zero score norm accepted")
	}
}

func TestPCSampleNFEAndOptions(t *testing.T) {
	vp, _ := NewVP(0.1, 20, 50)
	zero := func(x []float64, _ float64, out []float64) {
		for i := range out {
			out[i] = -x[i]
		}
	}
	x := make([]float64, 8)
	PriorSample(vp, x, NewNormal(1, 1))
	cases := []struct {
		o   PCOptions
		nfe int
	}{
		{PCOptions{Predictor: ReverseDiffusionPredictor, Corrector: LangevinCorrector, SNR: 0.16, NStepsEach: 2}, 150},
		{PCOptions{Predictor: EulerMaruyama, Corrector: CorrectorNone, NStepsEach: 1}, 50},
		{PCOptions{Predictor: PredictorNone, Corrector: AnnealedLangevinCorrector, SNR: 0.16, NStepsEach: 1}, 50},
	}
	for _, c := range cases {
		nfe, err := PCSample(vp, append([]float64(nil), x...), 2, zero, NewNormal(2, 2), c.o)
		if err != nil || nfe != c.nfe {
			t.Errorf("%+v: NFE %d err %v, want %d", c.o, nfe, err, c.nfe)
		}
	}
	if _, err := PCSample(vp, x, 3, zero, NewNormal(2, 2), DefaultPCOptions(vp)); err == nil {
		t.Error("ragged batch accepted")
	}
	if _, err := PCSample(vp, x, 2, zero, NewNormal(2, 2), PCOptions{Predictor: EulerMaruyama, Corrector: LangevinCorrector}); err == nil {
		t.Error("corrector with 0 steps accepted")
	}
	if o := DefaultPCOptions(vp); o.Predictor != EulerMaruyama || o.Corrector != CorrectorNone || o.SNR != 0.16 || !o.Denoise {
		t.Errorf("VP defaults %+v", o)
	}
}

func TestPhiloxNormal(t *testing.T) {
	a, b := PhiloxNormal(7, 3), PhiloxNormal(7, 3)
	x, y := make([]float64, 10000), make([]float64, 10000)
	a(x)
	b(y)
	for i := range x {
		if x[i] != y[i] {
			t.Fatal("not deterministic")
		}
	}
	a(y) // second call: next step, different numbers
	same := 0
	var m, v float64
	for i := range x {
		if x[i] == y[i] {
			same++
		}
		m += y[i] / 1e4
		v += y[i] * y[i] / 1e4
	}
	if same > 0 || math.Abs(m) > 0.05 || math.Abs(v-1) > 0.05 {
		t.Errorf("second draw: %d equal, mean %g, var %g", same, m, v)
	}
}
