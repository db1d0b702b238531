package sde

import (
	"fmt"
	"math"
)

// VP is the variance-preserving SDE (DDPM): beta(t) = b_min + t (b_max-b_min),
// f = -beta x / 2, g = sqrt(beta).
type VP struct {
	BetaMin, BetaMax float64
	n                int
	betas, alphas    []float64 // DDPM discrete betas linspace(b_min/N, b_max/N, N), alpha = 1 - beta
	chainErr         error     // why the discrete chain cannot be used at this N, if it cannot
}

// newBetaSchedule returns the DDPM discrete chain of N steps: betas
// linspace(b_min/N, b_max/N, N) and alphas 1 - beta. A beta of 1 or more
// (beta_max / N >= 1, few steps) has no chain; that is chainErr, not err,
// because only the samplers and the loss that step along the chain need it
// (DiscreteChainUsers, CheckDiscreteChain): Euler-Maruyama, the ODE and the fast samplers take
// any N.
func newBetaSchedule(name string, bmin, bmax float64, n int) (betas, alphas []float64, chainErr, err error) {
	if !(bmin > 0) || !(bmax >= bmin) || math.IsInf(bmax, 0) {
		return nil, nil, nil, fmt.Errorf("sde: %s needs 0 < beta_min <= beta_max, got beta_min=%g beta_max=%g", name, bmin, bmax)
	}
	if n < 2 {
		return nil, nil, nil, fmt.Errorf("sde: %s needs N >= 2 discretisation steps, got %d", name, n)
	}
	if bmax/float64(n) >= 1 {
		chainErr = fmt.Errorf("sde: %s's discrete chain needs beta_max / N < 1, got %g at N = %d (more than %d steps)",
			name, bmax/float64(n), n, int(math.Floor(bmax)))
	}
	betas = Linspace(bmin/float64(n), bmax/float64(n), n)
	alphas = make([]float64, n)
	for i, b := range betas {
		alphas[i] = 1 - b
	}
	return betas, alphas, chainErr, nil
}

// NewVP builds a VP SDE with n discretisation steps.
func NewVP(betaMin, betaMax float64, n int) (*VP, error) {
	b, a, chainErr, err := newBetaSchedule("VP", betaMin, betaMax, n)
	if err != nil {
		return nil, err
	}
	return &VP{BetaMin: betaMin, BetaMax: betaMax, n: n, betas: b, alphas: a, chainErr: chainErr}, nil
}

// DiscreteChainErr is why the discrete DDPM chain cannot be used at this
// N, nil when it can.
func (v *VP) DiscreteChainErr() error { return v.chainErr }

func (v *VP) Kind() Kind          { return KindVP }
func (v *VP) T() float64          { return 1 }
func (v *VP) N() int              { return v.n }
func (v *VP) DefaultEps() float64 { return SampleEpsVP }
func (v *VP) PriorStd() float64   { return 1 }

// Beta is beta(t).
func (v *VP) Beta(t float64) float64 { return v.BetaMin + t*(v.BetaMax-v.BetaMin) }

// LogMeanCoeff is -t^2 (b_max-b_min)/4 - t b_min/2 = -int_0^t beta / 2.
func (v *VP) LogMeanCoeff(t float64) float64 {
	return logMeanCoeff(v.BetaMin, v.BetaMax, t)
}

func logMeanCoeff(bmin, bmax, t float64) float64 {
	return -0.25*t*t*(bmax-bmin) - 0.5*t*bmin
}

func (v *VP) DriftCoef(t float64) float64    { return -0.5 * v.Beta(t) }
func (v *VP) Diffusion(t float64) float64    { return math.Sqrt(v.Beta(t)) }
func (v *VP) DiscreteBetas() []float64       { return v.betas }
func (v *VP) DiscreteAlphas() []float64      { return v.alphas }
func (v *VP) Alpha(t float64) float64        { return v.alphas[TimeIndex(v, t)] }
func (v *VP) DiscreteBeta(t float64) float64 { return v.betas[TimeIndex(v, t)] }

// Marginal: mean = e^lmc, std = sqrt(1 - e^{2 lmc}).
func (v *VP) Marginal(t float64) (mean, std float64) {
	l := v.LogMeanCoeff(t)
	return math.Exp(l), math.Sqrt(-math.Expm1(2 * l))
}

// Discretize is DDPM: x_{i+1} = sqrt(alpha_i) x_i + sqrt(beta_i) z, i.e.
// fcoef = sqrt(alpha_i) - 1, G = sqrt(beta_i).
func (v *VP) Discretize(t float64) (fcoef, G float64) {
	i := TimeIndex(v, t)
	return math.Sqrt(v.alphas[i]) - 1, math.Sqrt(v.betas[i])
}
