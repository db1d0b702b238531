package sde

import (
	"fmt"
	"math"
)

// AdaptiveOptions configure AdaptiveSample.
type AdaptiveOptions struct {
	// RTol and ATol weigh the local error: delta = max(ATol, RTol
	// max(|x_prev|, |x_check|)) elementwise, as the paper's code.
	RTol, ATol float64
	// HInit is the first step (0.01 in the reference code).
	HInit float64
	// Eps is the final time; 0 selects the SDE's DefaultEps.
	Eps float64
	// Denoise ends with one noise-free reverse-diffusion step at eps.
	Denoise bool
	// MaxAttempts bounds the number of attempted steps (0: 100000).
	MaxAttempts int
}

// DefaultAdaptiveOptions are the reference code's: tolerances 0.01, first
// step 0.01, denoising on.
func DefaultAdaptiveOptions() AdaptiveOptions {
	return AdaptiveOptions{RTol: 0.01, ATol: 0.01, HInit: 0.01, Denoise: true}
}

// AdaptiveStats counts what AdaptiveSample did.
type AdaptiveStats struct {
	NFE, Accepted, Rejected int
}

// adaptiveSafety and adaptiveExp are the step controller's
// h' = 0.9 h E^(-0.9) (Jolicoeur-Martineau et al. 2021).
const (
	adaptiveSafety = 0.9
	adaptiveExp    = 0.9
)

// AdaptiveK gives the weights of (x, s, z) in an increment of
// AdaptiveSample's attempt from t to t - h, K = -h F(x, t) + g(t) sqrt(h) z
// with the reverse drift F = f - g^2 s: K1 at (x, t) makes the
// Euler-Maruyama point xCheck = x + K1, K2 at (xCheck, t - h) with the same
// z the improved-Euler point xNew = x + (K1 + K2) / 2, and E = (K2 - K1) / 2
// estimates the error.
func AdaptiveK(s SDE, t, h float64) [3]float64 {
	g := s.Diffusion(t)
	return [3]float64{-h * s.DriftCoef(t), h * g * g, g * math.Sqrt(h)}
}

// AdaptiveSample is the adaptive-step reverse-SDE solver of
// Jolicoeur-Martineau et al. 2021 ("Gotta Go Fast"), in place on x from T
// to eps: each attempt takes the Euler-Maruyama / improved-Euler pair of
// AdaptiveAttempt, measures E_n = sqrt(mean((E / delta)^2)), accepts the
// improved-Euler point when E_n <= 1 (then x_prev = xCheck, t -= h), and
// sets h = min(t - eps, 0.9 h E_n^(-0.9)). Each attempt draws one z and
// costs two score evaluations.
//
// The deviation from the paper, for the device: one t and h for the whole
// batch (the device evaluates a score at one time per batch), with E_n the
// root mean square over all of the batch's values rather than one E_n, t
// and h per sample.
func AdaptiveSample(s SDE, x []float64, d int, score ScoreFunc, normal Normal, o AdaptiveOptions) (AdaptiveStats, error) {
	var st AdaptiveStats
	if d <= 0 || len(x)%d != 0 {
		return st, fmt.Errorf("sde: batch of %d values is not a whole number of %d-dim points", len(x), d)
	}
	if !(o.RTol > 0) || !(o.ATol > 0) || !(o.HInit > 0) {
		return st, fmt.Errorf("sde: adaptive solver needs rtol, atol and h_init > 0 (got %g, %g, %g)", o.RTol, o.ATol, o.HInit)
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 100000
	}
	n := len(x)
	prev := append([]float64(nil), x...)
	s1, s2, z := make([]float64, n), make([]float64, n), make([]float64, n)
	xc, k1 := make([]float64, n), make([]float64, n)
	t, h := s.T(), o.HInit
	for t-eps > 1e-12*s.T() {
		if st.Accepted+st.Rejected >= maxAttempts {
			return st, fmt.Errorf("sde: adaptive solver: %d attempts reached t = %g of eps %g; loosen rtol / atol", maxAttempts, t, eps)
		}
		h = math.Min(h, t-eps)
		normal(z)
		score(x, t, s1)
		c1 := AdaptiveK(s, t, h)
		for i := range x {
			k1[i] = c1[0]*x[i] + c1[1]*s1[i] + c1[2]*z[i]
			xc[i] = x[i] + k1[i]
		}
		score(xc, t-h, s2)
		st.NFE += 2
		c2 := AdaptiveK(s, t-h, h)
		var sum float64
		for i := range x {
			k2 := c2[0]*xc[i] + c2[1]*s2[i] + c2[2]*z[i]
			e := (k2 - k1[i]) / 2
			q := e / math.Max(o.ATol, o.RTol*math.Max(math.Abs(prev[i]), math.Abs(xc[i])))
			sum += q * q
			s2[i] = x[i] + (k1[i]+k2)/2 // xNew, kept in s2 until accepted
		}
		en := math.Sqrt(sum / float64(n))
		if en <= 1 {
			copy(x, s2)
			copy(prev, xc)
			t -= h
			st.Accepted++
		} else {
			st.Rejected++
		}
		h = AdaptiveNextStep(h, en, t-eps)
	}
	if o.Denoise {
		xMean := make([]float64, n)
		score(x, eps, s1)
		st.NFE++
		clear(z)
		if err := PredictorStep(ReverseDiffusionPredictor, s, x, xMean, s1, z, eps, 0, false); err != nil {
			return st, err
		}
		copy(x, xMean)
	}
	return st, nil
}

// AdaptiveNextStep is the controller: min(left, 0.9 h E_n^(-0.9)).
func AdaptiveNextStep(h, en, left float64) float64 {
	if en == 0 {
		return left
	}
	return math.Min(left, adaptiveSafety*h*math.Pow(en, -adaptiveExp))
}
