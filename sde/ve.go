package sde

import (
	"fmt"
	"math"
)

// VE is the variance-exploding SDE (SMLD / NCSN): f = 0,
// g(t) = sigma(t) sqrt(2 ln(sigma_max/sigma_min)),
// sigma(t) = sigma_min (sigma_max/sigma_min)^t.
type VE struct {
	SigmaMin, SigmaMax float64
	n                  int
	sigmas             []float64 // discrete ladder, ascending, geometric
}

// NewVE builds a VE SDE with n discretisation steps.
func NewVE(sigmaMin, sigmaMax float64, n int) (*VE, error) {
	if !(sigmaMin > 0) || !(sigmaMax > sigmaMin) || math.IsInf(sigmaMax, 0) {
		return nil, fmt.Errorf("sde: VE needs 0 < sigma_min < sigma_max, got sigma_min=%g sigma_max=%g", sigmaMin, sigmaMax)
	}
	if n < 2 {
		return nil, fmt.Errorf("sde: VE needs N >= 2 discretisation steps, got %d", n)
	}
	v := &VE{SigmaMin: sigmaMin, SigmaMax: sigmaMax, n: n}
	v.sigmas = make([]float64, n)
	la, lb := math.Log(sigmaMin), math.Log(sigmaMax)
	for i := range v.sigmas {
		v.sigmas[i] = math.Exp(la + (lb-la)*float64(i)/float64(n-1))
	}
	return v, nil
}

func (v *VE) Kind() Kind          { return KindVE }
func (v *VE) T() float64          { return 1 }
func (v *VE) N() int              { return v.n }
func (v *VE) DefaultEps() float64 { return SampleEpsVE }
func (v *VE) PriorStd() float64   { return v.SigmaMax }

// Sigma is sigma(t) = sigma_min (sigma_max/sigma_min)^t.
func (v *VE) Sigma(t float64) float64 {
	return v.SigmaMin * math.Pow(v.SigmaMax/v.SigmaMin, t)
}

// TimeOfSigma inverts Sigma: t = ln(sigma/sigma_min) / ln(sigma_max/sigma_min).
func (v *VE) TimeOfSigma(sigma float64) float64 {
	return math.Log(sigma/v.SigmaMin) / math.Log(v.SigmaMax/v.SigmaMin)
}

func (v *VE) DriftCoef(float64) float64 { return 0 }

func (v *VE) Diffusion(t float64) float64 {
	return v.Sigma(t) * math.Sqrt(2*math.Log(v.SigmaMax/v.SigmaMin))
}

func (v *VE) Marginal(t float64) (mean, std float64) { return 1, v.Sigma(t) }

// DiscreteSigmas is the SMLD ladder sigma_0 < ... < sigma_{N-1}, geometric
// from sigma_min to sigma_max. The slice is shared; do not modify it.
func (v *VE) DiscreteSigmas() []float64 { return v.sigmas }

// AdjacentSigma returns sigma_i and sigma_{i-1} (0 for i = 0) at t's index.
func (v *VE) AdjacentSigma(t float64) (sigma, prev float64) {
	i := TimeIndex(v, t)
	sigma = v.sigmas[i]
	if i > 0 {
		prev = v.sigmas[i-1]
	}
	return sigma, prev
}

// Discretize is SMLD: f = 0, G = sqrt(sigma_i^2 - sigma_{i-1}^2).
func (v *VE) Discretize(t float64) (fcoef, G float64) {
	s, p := v.AdjacentSigma(t)
	return 0, math.Sqrt(s*s - p*p)
}
