package quality

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is a mean and covariance fitted to features.
type Gaussian struct {
	Mean []float64
	Cov  *mat.SymDense
}

// FitGaussian returns the mean and the unbiased (N-1) covariance of the
// rows of f, as pytorch-fid's np.cov(rowvar=False) does.
func FitGaussian(f Matrix) (Gaussian, error) {
	if err := f.check("features", 2); err != nil {
		return Gaussian{}, err
	}
	mean := make([]float64, f.D)
	for i := range f.N {
		for j, v := range f.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(f.N)
	}
	centred := mat.NewDense(f.N, f.D, nil)
	for i := range f.N {
		for j, v := range f.Row(i) {
			centred.Set(i, j, v-mean[j])
		}
	}
	cov := mat.NewSymDense(f.D, nil)
	cov.SymOuterK(1/float64(f.N-1), centred.T())
	return Gaussian{Mean: mean, Cov: cov}, nil
}

// FrechetDistance is the squared 2-Wasserstein distance between two
// Gaussians, |m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1^1/2 S2 S1^1/2)^1/2).
// Both square roots come from symmetric eigen-decompositions, with the
// tiny negative eigenvalues of nearly singular covariances taken as zero,
// so the result is real (pytorch-fid takes sqrtm(S1 S2) instead, the same
// trace).
func FrechetDistance(a, b Gaussian) (float64, error) {
	d := len(a.Mean)
	if len(b.Mean) != d || a.Cov.SymmetricDim() != d || b.Cov.SymmetricDim() != d {
		return 0, fmt.Errorf("quality: Fréchet distance of %d- and %d-dimensional Gaussians", d, len(b.Mean))
	}
	diff := 0.0
	for j := range d {
		diff += (a.Mean[j] - b.Mean[j]) * (a.Mean[j] - b.Mean[j])
	}
	rootA, err := symSqrt(a.Cov)
	if err != nil {
		return 0, err
	}
	var m mat.Dense
	m.Mul(rootA, b.Cov)
	m.Mul(&m, rootA)
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	vals, err := eigenvalues(sym)
	if err != nil {
		return 0, err
	}
	trRoot := 0.0
	for _, v := range vals {
		trRoot += math.Sqrt(max(v, 0))
	}
	return diff + mat.Trace(a.Cov) + mat.Trace(b.Cov) - 2*trRoot, nil
}

// FID fits a Gaussian to each feature set and returns their Fréchet
// distance.
func FID(a, b Matrix) (float64, error) {
	if a.D != b.D {
		return 0, fmt.Errorf("quality: FID of %d- and %d-dimensional features", a.D, b.D)
	}
	ga, err := FitGaussian(a)
	if err != nil {
		return 0, err
	}
	gb, err := FitGaussian(b)
	if err != nil {
		return 0, err
	}
	return FrechetDistance(ga, gb)
}

// symSqrt returns the symmetric square root V diag(sqrt(max(l, 0))) V^T of
// s.
func symSqrt(s *mat.SymDense) (*mat.Dense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, fmt.Errorf("quality: the eigen-decomposition of a %d x %d covariance did not converge", s.SymmetricDim(), s.SymmetricDim())
	}
	vals := eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	scaled := mat.DenseCopyOf(&v)
	for j, l := range vals {
		r := math.Sqrt(max(l, 0))
		for i := range len(vals) {
			scaled.Set(i, j, scaled.At(i, j)*r)
		}
	}
	var root mat.Dense
	root.Mul(scaled, v.T())
	return &root, nil
}

// eigenvalues of a symmetric matrix.
func eigenvalues(s *mat.SymDense) ([]float64, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, false) {
		return nil, fmt.Errorf("quality: the eigen-decomposition of a %d x %d matrix did not converge", s.SymmetricDim(), s.SymmetricDim())
	}
	return eig.Values(nil), nil
}
