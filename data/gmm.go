package data

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Component describes one mixture component as a config gives it: a weight,
// a mean and either an isotropic Std or a full Cov (row by row).
type Component struct {
	Weight float64
	Mean   []float64
	Std    float64
	Cov    [][]float64
}

// GMM is a validated Gaussian mixture sum_k w_k N(mu_k, Sigma_k) in D
// dimensions. Each covariance is kept in its eigen-decomposition
// Sigma_k = Q_k diag(lambda_k) Q_k^T so that perturbed covariances
// m^2 Sigma_k + s^2 I are diagonal in the same basis for every t.
type GMM struct {
	d     int
	comps []gcomp
}

type gcomp struct {
	w, logw float64
	mu      []float64
	iso     bool      // Q = I
	lam     []float64 // eigenvalues of Sigma (all equal to std^2 when iso)
	q       []float64 // D*D row-major, columns are eigenvectors (nil when iso)
}

// NewGMM validates comps and builds the mixture. Weights must be positive
// and finite; they are normalised to sum to one. Every mean must have the
// same dimension D >= 1. Each component gives exactly one of Std > 0 or a
// D x D Cov that is symmetric (to 1e-9 relative) and positive-definite.
func NewGMM(comps []Component) (*GMM, error) {
	if len(comps) == 0 {
		return nil, fmt.Errorf("gmm: no components")
	}
	d := len(comps[0].Mean)
	if d == 0 {
		return nil, fmt.Errorf("gmm: component 1: empty mean")
	}
	g := &GMM{d: d}
	var wsum float64
	for i, c := range comps {
		n := i + 1
		if !(c.Weight > 0) || math.IsInf(c.Weight, 0) {
			return nil, fmt.Errorf("gmm: component %d: weight %g must be positive and finite", n, c.Weight)
		}
		if len(c.Mean) != d {
			return nil, fmt.Errorf("gmm: component %d: mean has dimension %d, component 1 has %d", n, len(c.Mean), d)
		}
		for _, v := range c.Mean {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("gmm: component %d: mean %v is not finite", n, c.Mean)
			}
		}
		gc := gcomp{w: c.Weight, mu: append([]float64(nil), c.Mean...)}
		switch {
		case c.Cov != nil && c.Std != 0:
			return nil, fmt.Errorf("gmm: component %d: give std or cov, not both", n)
		case c.Cov == nil:
			if !(c.Std > 0) || math.IsInf(c.Std, 0) {
				return nil, fmt.Errorf("gmm: component %d: std %g must be positive (or give cov)", n, c.Std)
			}
			gc.iso = true
			gc.lam = make([]float64, d)
			for j := range gc.lam {
				gc.lam[j] = c.Std * c.Std
			}
		default:
			lam, q, err := eigenCov(c.Cov, d)
			if err != nil {
				return nil, fmt.Errorf("gmm: component %d: %v", n, err)
			}
			gc.lam, gc.q = lam, q
		}
		wsum += c.Weight
		g.comps = append(g.comps, gc)
	}
	for i := range g.comps {
		g.comps[i].w /= wsum
		g.comps[i].logw = math.Log(g.comps[i].w)
	}
	return g, nil
}

func eigenCov(cov [][]float64, d int) ([]float64, []float64, error) {
	if len(cov) != d {
		return nil, nil, fmt.Errorf("cov has %d rows, want %d", len(cov), d)
	}
	scale := 0.0
	for i, row := range cov {
		if len(row) != d {
			return nil, nil, fmt.Errorf("cov row %d has %d entries, want %d", i+1, len(row), d)
		}
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("cov has a non-finite entry")
			}
			scale = math.Max(scale, math.Abs(v))
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			if math.Abs(cov[i][j]-cov[j][i]) > 1e-9*scale {
				return nil, nil, fmt.Errorf("cov is not symmetric: cov[%d][%d]=%g but cov[%d][%d]=%g", i+1, j+1, cov[i][j], j+1, i+1, cov[j][i])
			}
		}
	}
	sym := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, 0.5*(cov[i][j]+cov[j][i]))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return nil, nil, fmt.Errorf("cov eigen-decomposition failed")
	}
	lam := es.Values(nil)
	minLam := math.Inf(1)
	for _, l := range lam {
		minLam = math.Min(minLam, l)
	}
	if !(minLam > 1e-12*scale) {
		return nil, nil, fmt.Errorf("cov is not positive-definite (smallest eigenvalue %g)", minLam)
	}
	var v mat.Dense
	es.VectorsTo(&v)
	q := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			q[i*d+j] = v.At(i, j)
		}
	}
	return lam, q, nil
}

// Dim is D.
func (g *GMM) Dim() int { return g.d }

// K is the number of components.
func (g *GMM) K() int { return len(g.comps) }

// Name is "gmm".
func (g *GMM) Name() string { return "gmm" }

// GMM returns g itself, so a GMM is a Mixture.
func (g *GMM) GMM() *GMM { return g }

// Weight is the normalised weight of component k.
func (g *GMM) Weight(k int) float64 { return g.comps[k].w }

// Weights returns the normalised weights.
func (g *GMM) Weights() []float64 {
	w := make([]float64, len(g.comps))
	for k, c := range g.comps {
		w[k] = c.w
	}
	return w
}

// Mean returns a copy of mu_k.
func (g *GMM) Mean(k int) []float64 { return append([]float64(nil), g.comps[k].mu...) }

// Cov returns Sigma_k as a D*D row-major slice.
func (g *GMM) Cov(k int) []float64 {
	c := g.comps[k]
	d := g.d
	out := make([]float64, d*d)
	if c.iso {
		for i := 0; i < d; i++ {
			out[i*d+i] = c.lam[i]
		}
		return out
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s := 0.0
			for l := 0; l < d; l++ {
				s += c.q[i*d+l] * c.lam[l] * c.q[j*d+l]
			}
			out[i*d+j] = s
		}
	}
	return out
}

// Eigenvalues returns the eigenvalues of Sigma_k.
func (g *GMM) Eigenvalues(k int) []float64 { return append([]float64(nil), g.comps[k].lam...) }

// Eigenvectors returns the eigenvectors of Sigma_k as the columns of a D*D
// row-major slice (Sigma_k = Q diag(Eigenvalues(k)) Q^T), or nil when the
// component is isotropic (Q = I).
func (g *GMM) Eigenvectors(k int) []float64 {
	if g.comps[k].iso {
		return nil
	}
	return append([]float64(nil), g.comps[k].q...)
}

// MixtureMean is sum_k w_k mu_k.
func (g *GMM) MixtureMean() []float64 {
	m := make([]float64, g.d)
	for _, c := range g.comps {
		for j, v := range c.mu {
			m[j] += c.w * v
		}
	}
	return m
}

// MixtureCov is the mixture's covariance, sum_k w_k (Sigma_k + mu_k mu_k^T) - m m^T,
// D*D row-major.
func (g *GMM) MixtureCov() []float64 {
	d := g.d
	m := g.MixtureMean()
	out := make([]float64, d*d)
	for k, c := range g.comps {
		ck := g.Cov(k)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				out[i*d+j] += c.w * (ck[i*d+j] + c.mu[i]*c.mu[j])
			}
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[i*d+j] -= m[i] * m[j]
		}
	}
	return out
}

// MaxMeanDistance is the largest distance between two component means.
func (g *GMM) MaxMeanDistance() float64 {
	best := 0.0
	for a := range g.comps {
		for b := a + 1; b < len(g.comps); b++ {
			s := 0.0
			for j := 0; j < g.d; j++ {
				v := g.comps[a].mu[j] - g.comps[b].mu[j]
				s += v * v
			}
			best = math.Max(best, math.Sqrt(s))
		}
	}
	return best
}

// MaxEigenvalue is the largest eigenvalue over all components' covariances.
func (g *GMM) MaxEigenvalue() float64 {
	best := 0.0
	for _, c := range g.comps {
		for _, l := range c.lam {
			best = math.Max(best, l)
		}
	}
	return best
}
