package sde

import (
	"fmt"
	"math"
)

// LangevinStep applies one Langevin update in place:
// x <- x + (a/2) s + sqrt(a) z, given score = s(x) and standard normal z.
// (ermongroup/ncsn's code writes x + a' s + sqrt(2 a') z, i.e. a' = a/2.)
func LangevinStep(x, score, z []float64, a float64) {
	h, sq := a/2, math.Sqrt(a)
	for i := range x {
		x[i] += h*score[i] + sq*z[i]
	}
}

// Langevin runs plain (unannealed) Langevin dynamics in place on x with the
// score evaluated at the fixed time t, steps updates of step size a. It cannot
// recover the relative weights of well-separated modes. It returns the NFE.
func Langevin(x []float64, score ScoreFunc, t, a float64, steps int, normal Normal) (int, error) {
	if !(a > 0) || steps < 0 {
		return 0, fmt.Errorf("sde: Langevin needs step size > 0 and steps >= 0, got %g, %d", a, steps)
	}
	sc := make([]float64, len(x))
	z := make([]float64, len(x))
	for k := 0; k < steps; k++ {
		score(x, t, sc)
		normal(z)
		LangevinStep(x, sc, z, a)
	}
	return steps, nil
}

// ALDOptions configures AnnealedLangevin (NCSN).
type ALDOptions struct {
	// Sigmas is the noise ladder sigma_1 > ... > sigma_L (see GeometricSigmas).
	Sigmas []float64
	// StepsEach is T, the Langevin steps per level (NCSN 100).
	StepsEach int
	// Eps sets the step alpha_i = Eps sigma_i^2 / sigma_L^2 (NCSN 2e-5).
	Eps float64
	// Denoise adds a final x + sigma_L^2 s(x, sigma_L) (NCSNv2).
	Denoise bool
}

// GeometricSigmas returns L noise levels from sigmaMax down to sigmaMin,
// geometric (L = 1 gives {sigmaMax}).
func GeometricSigmas(sigmaMax, sigmaMin float64, L int) []float64 {
	out := make([]float64, L)
	for i := range out {
		if L == 1 {
			out[i] = sigmaMax
			break
		}
		out[i] = sigmaMax * math.Pow(sigmaMin/sigmaMax, float64(i)/float64(L-1))
	}
	return out
}

// AnnealedLangevin runs NCSN's annealed Langevin dynamics in place on x. The
// score is called with the noise level sigma_i in place of t (wrap a
// time-conditioned VE score with SigmaScore). It returns the NFE,
// L StepsEach (+1 with Denoise).
func AnnealedLangevin(x []float64, score ScoreFunc, o ALDOptions, normal Normal) (int, error) {
	L := len(o.Sigmas)
	if L == 0 || o.StepsEach < 1 || !(o.Eps > 0) {
		return 0, fmt.Errorf("sde: annealed Langevin needs sigmas, steps_each >= 1 and eps > 0 (got %d levels, %d, %g)", L, o.StepsEach, o.Eps)
	}
	for i := 1; i < L; i++ {
		if !(o.Sigmas[i] < o.Sigmas[i-1]) || !(o.Sigmas[i] > 0) {
			return 0, fmt.Errorf("sde: annealed Langevin sigmas must be positive and decreasing (level %d: %g after %g)", i, o.Sigmas[i], o.Sigmas[i-1])
		}
	}
	sL := o.Sigmas[L-1]
	sc := make([]float64, len(x))
	z := make([]float64, len(x))
	nfe := 0
	for _, sig := range o.Sigmas {
		a := o.Eps * sig * sig / (sL * sL)
		for k := 0; k < o.StepsEach; k++ {
			score(x, sig, sc)
			nfe++
			normal(z)
			LangevinStep(x, sc, z, a)
		}
	}
	if o.Denoise {
		score(x, sL, sc)
		nfe++
		for i := range x {
			x[i] += sL * sL * sc[i]
		}
	}
	return nfe, nil
}

// SigmaScore adapts a time-conditioned VE score to the sigma-conditioned
// callback AnnealedLangevin expects, via t = ve.TimeOfSigma(sigma).
func SigmaScore(ve *VE, score ScoreFunc) ScoreFunc {
	return func(x []float64, sigma float64, out []float64) {
		score(x, ve.TimeOfSigma(sigma), out)
	}
}
