package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

func normalSet(r *rand.Rand, n int, shift float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64() + shift
	}
	return x
}

// expAbs is E|Z| for Z ~ N(mu, s^2).
func expAbs(mu, s float64) float64 {
	return s*math.Sqrt(2/math.Pi)*math.Exp(-mu*mu/(2*s*s)) + mu*math.Erf(mu/(s*math.Sqrt2))
}

func TestEnergyDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := normalSet(r, 3000, 0)
	if e, _ := EnergyDistance(x, x, 1); math.Abs(e) > 1e-12 {
		t.Errorf("ED(x, x) = %g", e)
	}
	// 1-D N(0,1) vs N(1,1): 2 E|N(1,2)| - 2 E|N(0,2)|, plus the V-statistic
	// bias E|X-X'| (1/n + 1/m).
	y := normalSet(r, 3000, 1)
	e, err := EnergyDistance(x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	exx := expAbs(0, math.Sqrt2)
	want := 2*expAbs(1, math.Sqrt2) - 2*exx + exx*(2.0/3000)
	if math.Abs(e-want) > 0.05 {
		t.Errorf("ED = %g want %g", e, want)
	}
	if _, err := EnergyDistance(x, y[:5], 2); err == nil {
		t.Error("ragged set accepted")
	}
}

func TestNoiseFloorAndMMD(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	g := NCSNToy()
	const n = 500
	f, err := NoiseFloor(g, n, n, 40, r)
	if err != nil {
		t.Fatal(err)
	}
	// E|X-X'| of the mixture, estimated from a large sample.
	big := g.Sample(3000, r)
	exx := meanPairDist(big, big, 2) * 3000 / 2999
	if want := exx * 2 / n; math.Abs(f.Mean-want) > 3*f.Std/math.Sqrt(40) {
		t.Errorf("noise floor %g (std %g), expected about %g", f.Mean, f.Std, want)
	}
	if e := ExpectedNoiseFloor(g, n, n, r); math.Abs(e-exx*2/n) > 0.03*e {
		t.Errorf("expected noise floor %g vs %g", e, exx*2/n)
	}
	a, b := g.Sample(n, r), g.Sample(n, r)
	mmdSame, h, err := MMD(a, b, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h < 1 || h > 15 {
		t.Errorf("median bandwidth %g", h)
	}
	// a sample with the wrong weights
	wrong, _ := NewGMM([]Component{{Weight: 0.5, Mean: []float64{5, 5}, Std: 1}, {Weight: 0.5, Mean: []float64{-5, -5}, Std: 1}})
	c := wrong.Sample(n, r)
	mmdDiff, _, _ := MMD(a, c, 2, h)
	edSame, _ := EnergyDistance(a, b, 2)
	edDiff, _ := EnergyDistance(a, c, 2)
	if !(math.Abs(mmdSame) < 0.005) || !(mmdDiff > 0.02) || !(edDiff > 10*edSame) {
		t.Errorf("MMD same %g diff %g; ED same %g diff %g", mmdSame, mmdDiff, edSame, edDiff)
	}
	big = g.Sample(4000, r)
	mw := g.ModeWeights(big)
	if math.Abs(mw[0]-0.8) > 0.02 || g.MaxWeightError(big) > 0.02 {
		t.Errorf("mode weights %v", mw)
	}
	if e := wrong.MaxWeightError(big); math.Abs(e-0.3) > 0.02 {
		t.Errorf("weight error against the wrong mixture %g", e)
	}
}
