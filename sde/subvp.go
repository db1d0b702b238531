package sde

import "math"

// SubVP is the sub-VP SDE: drift as VP, g = sqrt(beta(t) (1 - e^{-2 int_0^t beta})).
// Its marginal std 1 - e^{2 lmc} is below VP's at every t.
type SubVP struct {
	BetaMin, BetaMax float64
	n                int
	betas, alphas    []float64 // VP's DDPM schedule, used by the Langevin corrector
	chainErr         error
}

// NewSubVP builds a sub-VP SDE with n discretisation steps.
func NewSubVP(betaMin, betaMax float64, n int) (*SubVP, error) {
	b, a, chainErr, err := newBetaSchedule("sub-VP", betaMin, betaMax, n)
	if err != nil {
		return nil, err
	}
	return &SubVP{BetaMin: betaMin, BetaMax: betaMax, n: n, betas: b, alphas: a, chainErr: chainErr}, nil
}

// DiscreteChainErr is why VP's discrete chain (the correctors' alphas)
// cannot be used at this N, nil when it can.
func (v *SubVP) DiscreteChainErr() error { return v.chainErr }

func (v *SubVP) Kind() Kind          { return KindSubVP }
func (v *SubVP) T() float64          { return 1 }
func (v *SubVP) N() int              { return v.n }
func (v *SubVP) DefaultEps() float64 { return SampleEpsVP }
func (v *SubVP) PriorStd() float64   { return 1 }

// Beta is beta(t).
func (v *SubVP) Beta(t float64) float64 { return v.BetaMin + t*(v.BetaMax-v.BetaMin) }

// LogMeanCoeff is -int_0^t beta / 2, as VP.
func (v *SubVP) LogMeanCoeff(t float64) float64 { return logMeanCoeff(v.BetaMin, v.BetaMax, t) }

// Alpha is VP's discrete alpha at t's index (for the Langevin corrector).
func (v *SubVP) Alpha(t float64) float64 { return v.alphas[TimeIndex(v, t)] }

func (v *SubVP) DriftCoef(t float64) float64 { return -0.5 * v.Beta(t) }

func (v *SubVP) Diffusion(t float64) float64 {
	discount := -math.Expm1(4 * v.LogMeanCoeff(t)) // 1 - e^{-2 int beta}
	return math.Sqrt(v.Beta(t) * discount)
}

// Marginal: mean = e^lmc, std = 1 - e^{2 lmc}.
func (v *SubVP) Marginal(t float64) (mean, std float64) {
	l := v.LogMeanCoeff(t)
	return math.Exp(l), -math.Expm1(2 * l)
}

// Discretize is Euler-Maruyama with dt = T/N (score_sde's default; sub-VP has
// no dedicated discrete chain): fcoef = a(t) dt, G = g(t) sqrt(dt).
func (v *SubVP) Discretize(t float64) (fcoef, G float64) {
	dt := v.T() / float64(v.n)
	return v.DriftCoef(t) * dt, v.Diffusion(t) * math.Sqrt(dt)
}
