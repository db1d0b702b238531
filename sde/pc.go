package sde

import "fmt"

// PCOptions configures PCSample. The zero value is not useful; start from
// DefaultPCOptions.
type PCOptions struct {
	Predictor Predictor
	Corrector Corrector
	// SNR is the corrector's signal-to-noise ratio r (score_sde 0.16).
	SNR float64
	// NStepsEach is the number of corrector steps per time step (1).
	NStepsEach int
	// Eps is the final time; 0 selects the SDE's DefaultEps.
	Eps float64
	// Denoise returns the last predictor's noise-free x_mean (score_sde's
	// noise_removal) instead of x.
	Denoise bool
	// ProbabilityFlow makes the predictor follow the probability-flow ODE.
	ProbabilityFlow bool
	// PerSampleSNR gives the Langevin corrector each sample's own step size
	// (its own score and noise norms) rather than score_sde's batch means, so
	// that a sample does not depend on the rest of its batch.
	PerSampleSNR bool
}

// DefaultPCOptions returns score_sde's defaults for s: reverse diffusion +
// Langevin for VE, Euler-Maruyama without corrector for VP and sub-VP,
// snr 0.16, one corrector step, denoising on.
func DefaultPCOptions(s SDE) PCOptions {
	o := PCOptions{Predictor: EulerMaruyama, Corrector: CorrectorNone, SNR: 0.16, NStepsEach: 1, Denoise: true}
	if s.Kind() == KindVE {
		o.Predictor, o.Corrector = ReverseDiffusionPredictor, LangevinCorrector
	}
	return o
}

// PCSample runs the predictor-corrector sampler in place on x (N*D values,
// initialised by the caller, usually with PriorSample) over the time grid
// linspace(T, eps, s.N()): at each time, NStepsEach corrector steps then one
// predictor step. It returns the number of batch score evaluations, which is
// s.N() (NStepsEach + 1) when both a predictor and a corrector are set.
func PCSample(s SDE, x []float64, d int, score ScoreFunc, normal Normal, o PCOptions) (nfe int, err error) {
	if d <= 0 || len(x)%d != 0 {
		return 0, fmt.Errorf("sde: batch of %d values is not a whole number of %d-dim points", len(x), d)
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	if o.Corrector != CorrectorNone && o.NStepsEach < 1 {
		return 0, fmt.Errorf("sde: corrector %v needs n_steps_each >= 1, got %d", o.Corrector, o.NStepsEach)
	}
	if err := CheckDiscreteChain(s, o); err != nil {
		return 0, err
	}
	n := len(x)
	xMean := make([]float64, n)
	sc := make([]float64, n)
	z := make([]float64, n)
	dt := -s.T() / float64(s.N())
	for _, t := range Linspace(s.T(), eps, s.N()) {
		if o.Corrector != CorrectorNone {
			for k := 0; k < o.NStepsEach; k++ {
				score(x, t, sc)
				nfe++
				normal(z)
				if err := correct(o, s, x, xMean, sc, z, d, t); err != nil {
					return nfe, err
				}
			}
		}
		if o.Predictor != PredictorNone {
			score(x, t, sc)
			nfe++
			if !o.ProbabilityFlow {
				normal(z)
			} else {
				clear(z)
			}
			if err := PredictorStep(o.Predictor, s, x, xMean, sc, z, t, dt, o.ProbabilityFlow); err != nil {
				return nfe, err
			}
		}
	}
	if o.Denoise {
		copy(x, xMean)
	}
	return nfe, nil
}

// correct applies o's corrector step at t to the batch x: CorrectorStep on
// the whole batch, or on each point alone with PerSampleSNR.
func correct(o PCOptions, s SDE, x, xMean, sc, z []float64, d int, t float64) error {
	if !o.PerSampleSNR {
		_, err := CorrectorStep(o.Corrector, s, x, xMean, sc, z, d, t, o.SNR)
		return err
	}
	for i := 0; i < len(x); i += d {
		if _, err := CorrectorStep(o.Corrector, s, x[i:i+d], xMean[i:i+d], sc[i:i+d], z[i:i+d], d, t, o.SNR); err != nil {
			return err
		}
	}
	return nil
}

// EMSample is the Euler-Maruyama sampler: PCSample with the Euler-Maruyama
// predictor and no corrector.
func EMSample(s SDE, x []float64, d int, score ScoreFunc, normal Normal, denoise bool) (int, error) {
	return PCSample(s, x, d, score, normal, PCOptions{Predictor: EulerMaruyama, Denoise: denoise, NStepsEach: 1})
}
