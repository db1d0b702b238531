package sde

import (
	"fmt"
	"math"
	"strings"
)

// Predictor selects the predictor update of the PC sampler.
type Predictor int

// Predictors of score_sde.
const (
	PredictorNone Predictor = iota
	EulerMaruyama
	ReverseDiffusionPredictor
	AncestralSampling
)

func (p Predictor) String() string {
	switch p {
	case PredictorNone:
		return "none"
	case EulerMaruyama:
		return "euler_maruyama"
	case ReverseDiffusionPredictor:
		return "reverse_diffusion"
	case AncestralSampling:
		return "ancestral_sampling"
	}
	return fmt.Sprintf("Predictor(%d)", int(p))
}

// PredictorNames lists the accepted predictor names.
var PredictorNames = []string{"none", "euler_maruyama", "reverse_diffusion", "ancestral_sampling"}

// ParsePredictor accepts the score_sde names and the short forms "em",
// "reverse", "ancestral".
func ParsePredictor(s string) (Predictor, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "":
		return PredictorNone, nil
	case "euler_maruyama", "em", "euler-maruyama":
		return EulerMaruyama, nil
	case "reverse_diffusion", "reverse", "reverse-diffusion":
		return ReverseDiffusionPredictor, nil
	case "ancestral_sampling", "ancestral":
		return AncestralSampling, nil
	}
	return 0, fmt.Errorf("sde: unknown predictor %q (want one of %s)", s, strings.Join(PredictorNames, ", "))
}

// PredictorStep applies one predictor update at time t, in place on x, and
// writes the noise-free part into xMean. score = s(x, t) and z (standard
// normal, same shape) are given by the caller; dt < 0 is the Euler-Maruyama
// time step (-T/N in the PC sampler). With probabilityFlow the Euler-Maruyama
// and reverse-diffusion updates follow the probability-flow ODE and ignore z.
//
//   - Euler-Maruyama: x_mean = x + [f - g^2 s] dt; x = x_mean + g sqrt(-dt) z.
//   - Reverse diffusion: x_mean = x - (f_i - G_i^2 s); x = x_mean + G_i z.
//   - Ancestral (VE): x_mean = x + (sigma_i^2 - sigma_{i-1}^2) s;
//     x = x_mean + sqrt(sigma_{i-1}^2 (sigma_i^2 - sigma_{i-1}^2) / sigma_i^2) z.
//   - Ancestral (VP): x_mean = (x + beta_i s) / sqrt(1 - beta_i); x = x_mean + sqrt(beta_i) z.
func PredictorStep(p Predictor, s SDE, x, xMean, score, z []float64, t, dt float64, probabilityFlow bool) error {
	switch p {
	case PredictorNone:
		copy(xMean, x)
	case EulerMaruyama:
		ReverseDrift(s, x, score, t, probabilityFlow, xMean)
		g := ReverseDiffusion(s, t, probabilityFlow) * math.Sqrt(-dt)
		for i := range x {
			xMean[i] = x[i] + xMean[i]*dt
			x[i] = xMean[i] + g*z[i]
		}
	case ReverseDiffusionPredictor:
		G := ReverseDiscretize(s, x, score, t, probabilityFlow, xMean)
		for i := range x {
			xMean[i] = x[i] - xMean[i]
			x[i] = xMean[i] + G*z[i]
		}
	case AncestralSampling:
		switch v := s.(type) {
		case *VE:
			sig, prev := v.AdjacentSigma(t)
			d2 := sig*sig - prev*prev
			std := math.Sqrt(prev * prev * d2 / (sig * sig))
			for i := range x {
				xMean[i] = x[i] + score[i]*d2
				x[i] = xMean[i] + std*z[i]
			}
		case *VP:
			beta := v.DiscreteBeta(t)
			inv := 1 / math.Sqrt(1-beta)
			sb := math.Sqrt(beta)
			for i := range x {
				xMean[i] = (x[i] + beta*score[i]) * inv
				x[i] = xMean[i] + sb*z[i]
			}
		default:
			return fmt.Errorf("sde: ancestral sampling is defined for VE and VP only, not %v", s.Kind())
		}
	default:
		return fmt.Errorf("sde: unknown predictor %v", p)
	}
	return nil
}
