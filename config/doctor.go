package config

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
)

// Warning is one doctor finding.
type Warning struct {
	Key string // the config key to change
	Msg string // one line, with numbers
}

func (w Warning) String() string { return w.Key + ": " + w.Msg }

// Doctor thresholds.
const (
	// DoctorKLPerDim is the prior-mismatch bound (nats per dimension) above
	// which Doctor warns; the likelihood target is 0.01 nats/dim.
	DoctorKLPerDim = 0.005
)

// PriorMismatch bounds KL(p_T || prior), the mean bias it puts on
// probability-flow log-likelihoods (E[log p_T(x_T) - log prior(x_T)]).
type PriorMismatch struct {
	// Lower is KL of the moment-matched Gaussian of p_T (a lower bound: the
	// Gaussian has the largest entropy for given moments).
	Lower float64
	// Upper is sum_k w_k KL(p_T,k || prior), an upper bound by convexity;
	// equal to Lower for non-mixture data (NaN: unknown).
	Upper float64
	// Estimate is the Monte Carlo estimate E_{p_T}[log p_T - log prior] on
	// 4000 draws for mixtures (exact densities), Lower otherwise.
	Estimate float64
	// Offset is |m(T) E[x]| / prior std, the prior's mean error in prior
	// stds (first order for ODE-sampled mode weights).
	Offset float64
	D      int
}

// gaussKL is KL(N(a, A) || N(0, s^2 I)) given a, A's eigenvalues.
func gaussKL(a []float64, eig []float64, s float64) float64 {
	s2 := s * s
	kl := 0.0
	for _, l := range eig {
		kl += l/s2 - 1 + math.Log(s2) - math.Log(l)
	}
	for _, v := range a {
		kl += v * v / s2
	}
	return 0.5 * kl
}

func symEig(c []float64, d int) ([]float64, error) {
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), c...)), false) {
		return nil, fmt.Errorf("eigen-decomposition failed")
	}
	return es.Values(nil), nil
}

// MixturePriorMismatch computes the bounds and the Monte Carlo estimate for
// a Gaussian mixture under s.
func MixturePriorMismatch(g *data.GMM, s sde.SDE, r *rand.Rand) (PriorMismatch, error) {
	m, st := s.Marginal(s.T())
	ps := s.PriorStd()
	d := g.Dim()
	pm := PriorMismatch{D: d}
	for k := 0; k < g.K(); k++ {
		mu := g.Mean(k)
		for j := range mu {
			mu[j] *= m
		}
		eig := g.Eigenvalues(k)
		for j := range eig {
			eig[j] = m*m*eig[j] + st*st
		}
		pm.Upper += g.Weight(k) * gaussKL(mu, eig, ps)
	}
	mean, cov := g.MixtureMean(), g.MixtureCov()
	lo, off, err := momentKL(mean, cov, d, m, st, ps)
	if err != nil {
		return pm, err
	}
	pm.Lower, pm.Offset = lo, off
	const n = 4000
	x := g.Sample(n, r)
	for i := range x {
		x[i] = m*x[i] + st*r.NormFloat64()
	}
	lp, lq := make([]float64, n), make([]float64, n)
	g.LogProbAt(x, m, st, lp)
	sde.PriorLogP(s, x, d, lq)
	for i := range lp {
		pm.Estimate += (lp[i] - lq[i]) / n
	}
	return pm, nil
}

func momentKL(mean, cov []float64, d int, m, st, ps float64) (kl, offset float64, err error) {
	eig, err := symEig(cov, d)
	if err != nil {
		return 0, 0, err
	}
	a := make([]float64, d)
	nrm := 0.0
	for j := range eig {
		eig[j] = m*m*math.Max(eig[j], 0) + st*st
		a[j] = m * mean[j]
		nrm += a[j] * a[j]
	}
	return gaussKL(a, eig, ps), math.Sqrt(nrm) / ps, nil
}

// SamplePriorMismatch estimates the moment-matched lower bound from points.
func SamplePriorMismatch(x []float64, d int, s sde.SDE) (PriorMismatch, error) {
	n := len(x) / d
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			mean[j] += x[i*d+j] / float64(n)
		}
	}
	cov := make([]float64, d*d)
	for i := 0; i < n; i++ {
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				cov[a*d+b] += (x[i*d+a] - mean[a]) * (x[i*d+b] - mean[b]) / float64(n)
			}
		}
	}
	m, st := s.Marginal(s.T())
	lo, off, err := momentKL(mean, cov, d, m, st, s.PriorStd())
	return PriorMismatch{Lower: lo, Upper: math.NaN(), Estimate: lo, Offset: off, D: d}, err
}

// MaxPairwiseDistance is the largest distance between two of the points.
func MaxPairwiseDistance(x []float64, d int) float64 {
	n := len(x) / d
	best := 0.0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				v := x[i*d+k] - x[j*d+k]
				s += v * v
			}
			best = math.Max(best, s)
		}
	}
	return math.Sqrt(best)
}

// Doctor checks the SDE against the data and returns warnings (nil when all
// is well): for VE, sigma_max below the data's largest pairwise distance
// (NCSNv2's technique 1, estimated on 2000 points drawn from ds); for every
// SDE, a prior far from p_T (KL(p_T || prior) above DoctorKLPerDim nats per
// dimension: a Monte Carlo estimate with exact densities for mixtures, a
// moment-matched lower bound otherwise), which biases likelihoods by about that much and shifts the ODE
// sampler's mode weights.
func Doctor(c *Config, ds data.Dataset, r *rand.Rand) ([]Warning, error) {
	if c.IsImages() {
		// Pixel values are bounded, and score_sde's image settings of
		// sigma_max and beta_max hold; the moment estimates would cost a
		// covariance of thousands of dimensions.
		return nil, nil
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return nil, err
	}
	d := ds.Dim()
	x := ds.Sample(2000, r)
	var ws []Warning
	if ve, ok := s.(*sde.VE); ok {
		if dist := MaxPairwiseDistance(x, d); ve.SigmaMax < dist {
			ws = append(ws, Warning{Key: "sde.sigma_max", Msg: fmt.Sprintf(
				"%g is below the data's largest pairwise distance %.3g (on 2000 points); NCSNv2 sets sigma_max about equal to it, or p_T keeps the data's shape",
				ve.SigmaMax, dist)})
		}
	}
	var pm PriorMismatch
	if m, ok := ds.(data.Mixture); ok {
		pm, err = MixturePriorMismatch(m.GMM(), s, r)
	} else {
		pm, err = SamplePriorMismatch(x, d, s)
	}
	if err != nil {
		return ws, err
	}
	if pm.Estimate/float64(d) > DoctorKLPerDim {
		key := "sde.beta_max"
		if s.Kind() == sde.KindVE {
			key = "sde.sigma_max"
		}
		bound := fmt.Sprintf("KL(p_T || prior) is %.3g nats (%.3g nats/dim; bounds %.3g to %.3g nats)",
			pm.Estimate, pm.Estimate/float64(d), pm.Lower, pm.Upper)
		if math.IsNaN(pm.Upper) {
			bound = fmt.Sprintf("KL(p_T || prior) is about %.3g nats (%.3g nats/dim, moment-matched estimate)",
				pm.Lower, pm.Lower/float64(d))
		}
		ws = append(ws, Warning{Key: key, Msg: fmt.Sprintf(
			"prior is far from p_T: %s, prior mean off by %.3g prior stds; likelihoods are biased by about that much and ODE samples' mode weights shift",
			bound, pm.Offset)})
	}
	return ws, nil
}
