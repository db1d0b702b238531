package quality

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func gaussian(mean []float64, cov ...float64) Gaussian {
	return Gaussian{Mean: mean, Cov: mat.NewSymDense(len(mean), cov)}
}

// TestFrechetDistanceClosedForms: diagonal covariances give
// |dm|^2 + sum (sqrt a - sqrt b)^2; for 2x2 covariances that do not
// commute, tr sqrt(S1^1/2 S2 S1^1/2) = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
func TestFrechetDistanceClosedForms(t *testing.T) {
	a := gaussian([]float64{0, 1, 2}, 4, 0, 0, 0, 1, 0, 0, 0, 0.25)
	b := gaussian([]float64{1, 1, 0}, 1, 0, 0, 0, 9, 0, 0, 0, 0.25)
	want := 1.0 + 4 + (2-1)*(2-1) + (1-3)*(1-3) + 0
	if got, err := FrechetDistance(a, b); err != nil || math.Abs(got-want) > 1e-10 {
		t.Errorf("diagonal: %v %v, want %v", got, err, want)
	}
	s1 := []float64{2, 0.7, 0.7, 1}
	s2 := []float64{0.5, -0.3, -0.3, 3}
	a, b = gaussian([]float64{0, 0}, s1...), gaussian([]float64{0.5, -1}, s2...)
	trS1S2 := s1[0]*s2[0] + s1[1]*s2[2] + s1[2]*s2[1] + s1[3]*s2[3]
	det := func(s []float64) float64 { return s[0]*s[3] - s[1]*s[2] }
	trRoot := math.Sqrt(trS1S2 + 2*math.Sqrt(det(s1)*det(s2)))
	want = 0.25 + 1 + (s1[0] + s1[3]) + (s2[0] + s2[3]) - 2*trRoot
	if got, err := FrechetDistance(a, b); err != nil || math.Abs(got-want) > 1e-10 {
		t.Errorf("non-commuting: %v %v, want %v", got, err, want)
	}
	if got, err := FrechetDistance(a, a); err != nil || math.Abs(got) > 1e-12 {
		t.Errorf("a Gaussian from itself: %v %v, want 0", got, err)
	}
	// A singular covariance (rank one) still gives a real distance.
	c := gaussian([]float64{0, 0}, 1, 1, 1, 1)
	if got, err := FrechetDistance(c, c); err != nil || math.Abs(got) > 1e-7 {
		t.Errorf("singular: %v %v, want 0", got, err)
	}
	if _, err := FrechetDistance(a, gaussian([]float64{0, 0, 0}, 1, 0, 0, 0, 1, 0, 0, 0, 1)); err == nil {
		t.Error("no error for Gaussians of different dimensions")
	}
}

// sampleGaussian draws n rows of N(mean, L L^T).
func sampleGaussian(n int, mean []float64, l [][]float64, r *rand.Rand) Matrix {
	d := len(mean)
	m := Matrix{N: n, D: d, X: make([]float64, n*d)}
	z := make([]float64, d)
	for i := range n {
		for j := range z {
			z[j] = r.NormFloat64()
		}
		row := m.Row(i)
		for j := range d {
			row[j] = mean[j]
			for k := range d {
				row[j] += l[j][k] * z[k]
			}
		}
	}
	return m
}

// TestFIDOfSamples: the FID of samples of two known Gaussians approaches
// their Fréchet distance, and a set's FID with itself is zero.
func TestFIDOfSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	l1 := [][]float64{{1, 0, 0}, {0.5, 1, 0}, {0, 0.3, 0.5}}
	l2 := [][]float64{{2, 0, 0}, {0, 1, 0}, {0.4, 0, 1}}
	m1, m2 := []float64{0, 0, 0}, []float64{1, 0, -1}
	a, b := sampleGaussian(40000, m1, l1, r), sampleGaussian(40000, m2, l2, r)
	cov := func(l [][]float64) []float64 {
		var c []float64
		for i := range 3 {
			for j := range 3 {
				s := 0.0
				for k := range 3 {
					s += l[i][k] * l[j][k]
				}
				c = append(c, s)
			}
		}
		return c
	}
	want, err := FrechetDistance(gaussian(m1, cov(l1)...), gaussian(m2, cov(l2)...))
	if err != nil {
		t.Fatal(err)
	}
	got, err := FID(a, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FID of 40000 samples %.4f, exact %.4f", got, want)
	if math.Abs(got-want) > 0.05*want {
		t.Errorf("FID %.4f, exact Fréchet distance %.4f", got, want)
	}
	if self, err := FID(a, a); err != nil || math.Abs(self) > 1e-9 {
		t.Errorf("FID of a set with itself %v %v, want 0", self, err)
	}
	if _, err := FID(Matrix{N: 1, D: 3, X: make([]float64, 3)}, a); err == nil {
		t.Error("FID of a single row: no error")
	}
}

// naiveMMD2 is the unbiased MMD^2 with the cubic polynomial kernel over all
// rows, by a double loop.
func naiveMMD2(a, b Matrix) float64 {
	k := func(x, y []float64) float64 {
		s := 0.0
		for i := range x {
			s += x[i] * y[i]
		}
		return math.Pow(s/float64(len(x))+1, 3)
	}
	n := float64(a.N)
	var xx, yy, xy float64
	for i := range a.N {
		for j := range a.N {
			if i != j {
				xx += k(a.Row(i), a.Row(j))
				yy += k(b.Row(i), b.Row(j))
			}
			xy += k(a.Row(i), b.Row(j))
		}
	}
	return (xx+yy)/(n*(n-1)) - 2*xy/(n*n)
}

// TestKID: one subset as large as the sets is the unbiased MMD^2 of the
// whole sets; KID is near zero for two samples of one distribution and
// clearly positive for a shifted one.
func TestKID(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	eye := [][]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	zero, shift := []float64{0, 0, 0, 0}, []float64{0.5, 0, -0.5, 0}
	small1, small2 := sampleGaussian(50, zero, eye, r), sampleGaussian(50, shift, eye, r)
	whole, err := KID(small1, small2, KIDOptions{Subsets: 1, SubsetSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	if want := naiveMMD2(small1, small2); math.Abs(whole.Mean-want) > 1e-10*math.Abs(want) {
		t.Errorf("KID over the whole sets %.12g, naive MMD^2 %.12g", whole.Mean, want)
	}
	a, b, c := sampleGaussian(2000, zero, eye, r), sampleGaussian(2000, zero, eye, r), sampleGaussian(2000, shift, eye, r)
	o := KIDOptions{Subsets: 20, SubsetSize: 500, Seed: 1}
	same, err := KID(a, b, o)
	if err != nil {
		t.Fatal(err)
	}
	shifted, err := KID(a, c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("KID same distribution %.3g +- %.2g, shifted %.3g +- %.2g", same.Mean, same.Std, shifted.Mean, shifted.Std)
	// The subsets overlap, so the spread of one subset's estimate, not its
	// standard error, bounds the mean.
	if math.Abs(same.Mean) > 3*same.Std || same.Std == 0 {
		t.Errorf("KID of one distribution %.3g +- %.2g, want about 0", same.Mean, same.Std)
	}
	if !(shifted.Mean > 10*same.Std) {
		t.Errorf("KID of shifted sets %.3g, want well above the same-distribution spread %.2g", shifted.Mean, same.Std)
	}
	if same.SubsetSize != 500 || same.Subsets != 20 {
		t.Errorf("ran %d subsets of %d", same.Subsets, same.SubsetSize)
	}
	if _, err := KID(a, Matrix{N: 3, D: 2, X: make([]float64, 6)}, o); err == nil {
		t.Error("KID of 4- and 2-dimensional features: no error")
	}
}

// TestClassify: counts, fractions, the deviation from target frequencies
// in percentage points and the mean confidence from known logits.
func TestClassify(t *testing.T) {
	ln2 := math.Log(2)
	logits := Matrix{N: 4, D: 3, X: []float64{
		0, 0, 1000, // class 2, confidence 1
		ln2, 0, 0, // class 0, confidence 2/4
		0, 0, 0, // a tie: class 0, confidence 1/3
		0, 5, 5 - ln2, // class 1, confidence 1/(1 + 1/2 + e^-5)
	}}
	s, err := Classify(logits, []float64{2, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	wantConf := (1 + 0.5 + 1.0/3 + 1/(1.5+math.Exp(-5))) / 4
	if math.Abs(s.MeanConfidence-wantConf) > 1e-12 {
		t.Errorf("mean confidence %.15g, want %.15g", s.MeanConfidence, wantConf)
	}
	if s.Counts[0] != 2 || s.Counts[1] != 1 || s.Counts[2] != 1 {
		t.Errorf("counts %v, want [2 1 1]", s.Counts)
	}
	if s.MaxDeviationPP != 0 {
		t.Errorf("max deviation %g pp, want 0 (fractions equal the target)", s.MaxDeviationPP)
	}
	s, err = Classify(logits, []float64{0.1, 0.1, 0.8})
	if err != nil {
		t.Fatal(err)
	}
	if want := 55.0; math.Abs(s.MaxDeviationPP-want) > 1e-9 {
		t.Errorf("max deviation %g pp, want %g", s.MaxDeviationPP, want)
	}
	if f := s.Fractions[0]; f != 0.5 {
		t.Errorf("fraction predicted as class 0 %g, want 0.5", f)
	}
	if _, err := Classify(logits, []float64{1, 1}); err == nil {
		t.Error("two target frequencies for three classes: no error")
	}
}
