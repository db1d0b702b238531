package sde

import (
	"fmt"
	"math"
	"strings"
)

// DivFunc writes, for each of the N points of x, the divergence (trace of
// the Jacobian) of the score at (x, t): out has N values.
type DivFunc func(x []float64, t float64, out []float64)

// JVPFunc writes the Jacobian-vector product of the score, (ds/dx)(x, t) v,
// row by row: v and out have N*D values like x.
type JVPFunc func(x, v []float64, t float64, out []float64)

// Estimator selects how the likelihood ODE computes div f~.
type Estimator int

// Divergence estimators.
const (
	// ExactDiv uses a DivFunc, or D JVPs with the basis vectors when only a
	// JVPFunc is given (low dimension).
	ExactDiv Estimator = iota
	// HutchinsonRademacher uses K fixed Rademacher probes per point.
	HutchinsonRademacher
	// HutchinsonGaussian uses K fixed standard normal probes per point.
	HutchinsonGaussian
)

func (e Estimator) String() string {
	switch e {
	case ExactDiv:
		return "exact"
	case HutchinsonRademacher:
		return "rademacher"
	case HutchinsonGaussian:
		return "gaussian"
	}
	return fmt.Sprintf("Estimator(%d)", int(e))
}

// ParseEstimator accepts "exact", "rademacher", "gaussian".
func ParseEstimator(s string) (Estimator, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "exact":
		return ExactDiv, nil
	case "rademacher", "hutchinson":
		return HutchinsonRademacher, nil
	case "gaussian":
		return HutchinsonGaussian, nil
	}
	return 0, fmt.Errorf("sde: unknown divergence estimator %q (want exact, rademacher or gaussian)", s)
}

// LikelihoodOptions configures LogLikelihood.
type LikelihoodOptions struct {
	Score ScoreFunc
	// Div is the exact divergence of the score (ExactDiv). Optional when JVP
	// is given.
	Div DivFunc
	// JVP is the score's Jacobian-vector product (Hutchinson, or ExactDiv
	// without Div).
	JVP       JVPFunc
	Estimator Estimator
	// Probes is K, the Hutchinson probes per point (default 1). The probes are
	// drawn once and held fixed along the ODE, as in score_sde.
	Probes int
	// Normal draws the probes (Rademacher probes are signs of normal draws).
	Normal     Normal
	RTol, ATol float64 // RK45 tolerances (score_sde 1e-5)
	// Eps is the start time; 0 selects LikelihoodEps (1e-5).
	Eps float64
}

// LikelihoodResult is the output of LogLikelihood.
type LikelihoodResult struct {
	LogP      []float64 // log p_0(x) per point, nats
	PriorLogP []float64 // log p_T(x_T) per point
	DeltaLogP []float64 // integral of div f~ from eps to T per point
	MeanLogP  float64   // mean of LogP
	// NatsPerDim is -MeanLogP / D.
	NatsPerDim float64
	// NFE counts ODE right-hand-side evaluations (scipy's nfev); each makes
	// one score call and, by the estimator, one Div call, D JVPs or K JVPs.
	NFE   int
	Stats ODEStats
	// ZT is the terminal state x_T, N*D values.
	ZT []float64
}

// LogLikelihood computes log p_0(x) for the N points of x (N*D values, not
// modified) through the probability-flow ODE:
//
//	log p_0(x_0) = log p_T(x_T) + int_eps^T div f~(x_t, t) dt,
//	f~ = f - g^2 s / 2, so div f~ = D a(t) - g(t)^2 div s / 2.
//
// The augmented state [x, delta] (N*D + N values) is integrated as one
// system by SolveRK45 from eps to T, as score_sde does with scipy.
func LogLikelihood(s SDE, x []float64, d int, o LikelihoodOptions) (*LikelihoodResult, error) {
	if d <= 0 || len(x)%d != 0 || len(x) == 0 {
		return nil, fmt.Errorf("sde: batch of %d values is not a whole, nonempty number of %d-dim points", len(x), d)
	}
	if o.Score == nil {
		return nil, fmt.Errorf("sde: likelihood needs a score")
	}
	n := len(x) / d
	nd := len(x)
	eps := o.Eps
	if eps == 0 {
		eps = LikelihoodEps
	}
	K := o.Probes
	if K <= 0 {
		K = 1
	}
	var probes [][]float64
	switch o.Estimator {
	case ExactDiv:
		if o.Div == nil && o.JVP == nil {
			return nil, fmt.Errorf("sde: exact divergence needs a Div or a JVP callback")
		}
	case HutchinsonRademacher, HutchinsonGaussian:
		if o.JVP == nil {
			return nil, fmt.Errorf("sde: Hutchinson estimator %v needs a JVP callback", o.Estimator)
		}
		if o.Normal == nil {
			return nil, fmt.Errorf("sde: Hutchinson estimator needs a Normal source for probes")
		}
		probes = make([][]float64, K)
		for k := range probes {
			probes[k] = make([]float64, nd)
			if o.Estimator == HutchinsonRademacher {
				Rademacher(o.Normal, probes[k])
			} else {
				o.Normal(probes[k])
			}
		}
	default:
		return nil, fmt.Errorf("sde: unknown estimator %v", o.Estimator)
	}

	sc := make([]float64, nd)
	jv := make([]float64, nd)
	basis := make([]float64, nd)
	divs := make([]float64, n)
	rhs := func(t float64, y, dy []float64) {
		xt := y[:nd]
		o.Score(xt, t, sc)
		ReverseDrift(s, xt, sc, t, true, dy[:nd])
		clear(divs)
		switch {
		case o.Estimator == ExactDiv && o.Div != nil:
			o.Div(xt, t, divs)
		case o.Estimator == ExactDiv:
			for j := 0; j < d; j++ {
				clear(basis)
				for i := 0; i < n; i++ {
					basis[i*d+j] = 1
				}
				o.JVP(xt, basis, t, jv)
				for i := 0; i < n; i++ {
					divs[i] += jv[i*d+j]
				}
			}
		default:
			for _, v := range probes {
				o.JVP(xt, v, t, jv)
				for i := 0; i < n; i++ {
					acc := 0.0
					for j := i * d; j < (i+1)*d; j++ {
						acc += v[j] * jv[j]
					}
					divs[i] += acc
				}
			}
			for i := range divs {
				divs[i] /= float64(K)
			}
		}
		a := s.DriftCoef(t)
		g := s.Diffusion(t)
		for i := 0; i < n; i++ {
			dy[nd+i] = float64(d)*a - 0.5*g*g*divs[i]
		}
	}

	y := make([]float64, nd+n)
	copy(y, x)
	st, err := SolveRK45(rhs, eps, s.T(), y, RK45Options{RTol: o.RTol, ATol: o.ATol})
	if err != nil {
		return nil, err
	}
	r := &LikelihoodResult{
		LogP:      make([]float64, n),
		PriorLogP: make([]float64, n),
		DeltaLogP: append([]float64(nil), y[nd:]...),
		NFE:       st.NFE,
		Stats:     st,
		ZT:        append([]float64(nil), y[:nd]...),
	}
	PriorLogP(s, r.ZT, d, r.PriorLogP)
	for i := range r.LogP {
		r.LogP[i] = r.PriorLogP[i] + r.DeltaLogP[i]
		r.MeanLogP += r.LogP[i]
	}
	r.MeanLogP /= float64(n)
	r.NatsPerDim = -r.MeanLogP / float64(d)
	if math.IsNaN(r.MeanLogP) {
		return r, fmt.Errorf("sde: likelihood is NaN")
	}
	return r, nil
}

// FiniteDiffJVP approximates a JVP by central differences of the score,
// (s(x + h v) - s(x - h v)) / (2h), two score calls per product. It is a
// convenience for scores without derivatives; its error is O(h^2).
func FiniteDiffJVP(score ScoreFunc, h float64) JVPFunc {
	var xp, sp, sm []float64
	return func(x, v []float64, t float64, out []float64) {
		if len(xp) != len(x) {
			xp, sp, sm = make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
		}
		for i := range x {
			xp[i] = x[i] + h*v[i]
		}
		score(xp, t, sp)
		for i := range x {
			xp[i] = x[i] - h*v[i]
		}
		score(xp, t, sm)
		for i := range out {
			out[i] = (sp[i] - sm[i]) / (2 * h)
		}
	}
}
