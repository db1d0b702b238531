package config

import (
	"fmt"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
)

// NewSDE builds the configured SDE with n discretisation steps (n <= 0:
// sde.num_scales).
func (c *Config) NewSDE(n int) (sde.SDE, error) {
	k, err := sde.ParseKind(c.SDE.Kind)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		n = c.SDE.NumScales
	}
	return sde.New(sde.Params{Kind: k, SigmaMin: c.SDE.SigmaMin, SigmaMax: c.SDE.SigmaMax,
		BetaMin: c.SDE.BetaMin, BetaMax: c.SDE.BetaMax, N: n})
}

// SamplingSteps is sampling.n_steps, or sde.num_scales when it is 0.
func (c *Config) SamplingSteps() int {
	if c.Sampling.NSteps > 0 {
		return c.Sampling.NSteps
	}
	return c.SDE.NumScales
}

// Given reports whether the config file or an override set key (a dotted
// section.key); a key left at its default is not given.
func (c *Config) Given(key string) bool { return c.given[key] }

// ShortRunSamples caps the samples drawn after a training run of fewer than
// ShortRun steps when sampling.n_samples is not given: the default 10,000
// would take longer to sample on a CPU device than such a run takes to train.
const (
	ShortRun        = 1000
	ShortRunSamples = 1000
)

// SamplesAfterTraining is the number of points sdevk train draws with the
// EMA weights at the end of a run of training.n_iters steps:
// sampling.n_samples, but at most ShortRunSamples for a short run unless
// sampling.n_samples is given.
func (c *Config) SamplesAfterTraining() int {
	if c.Training.NIters < ShortRun && !c.Given("sampling.n_samples") {
		return min(c.Sampling.NSamples, ShortRunSamples)
	}
	return c.Sampling.NSamples
}

// GMM builds the [data] mixture: from the components for kind "gmm", the
// built-in mixture for 8gaussians / 25gaussians / ncsn_toy; an error for
// data that is not a mixture.
func (c *Config) GMM() (*data.GMM, error) {
	if c.Data.Kind == "gmm" {
		comps := make([]data.Component, len(c.Data.Components))
		for i, cc := range c.Data.Components {
			comps[i] = data.Component{Weight: cc.Weight, Mean: cc.Mean, Std: cc.Std, Cov: cc.Cov}
		}
		return data.NewGMM(comps)
	}
	ds, err := c.Dataset()
	if err != nil {
		return nil, err
	}
	if m, ok := ds.(data.Mixture); ok {
		return m.GMM(), nil
	}
	return nil, fmt.Errorf("data %q is not a Gaussian mixture (no oracle score)", c.Data.Kind)
}

// Dataset builds the configured data set (loading .npy points for kind "npy";
// an image set is read when first sampled).
func (c *Config) Dataset() (data.Dataset, error) {
	switch c.Data.Kind {
	case "gmm":
		return c.GMM()
	case "npy":
		return data.LoadNPY(c.Data.Path)
	case KindImages:
		return &imageData{c: c}, nil
	}
	return data.Builtin(c.Data.Kind)
}

// PCOptions converts [sampling] into sde.PCOptions.
func (c *Config) PCOptions() (sde.PCOptions, error) {
	p, err := sde.ParsePredictor(c.Sampling.Predictor)
	if err != nil {
		return sde.PCOptions{}, err
	}
	cr, err := sde.ParseCorrector(c.Sampling.Corrector)
	if err != nil {
		return sde.PCOptions{}, err
	}
	o := sde.PCOptions{Predictor: p, Corrector: cr, SNR: c.Sampling.SNR, NStepsEach: c.Sampling.NStepsEach,
		Eps: c.Sampling.Eps, Denoise: c.Sampling.NoiseRemoval, ProbabilityFlow: c.Sampling.ProbabilityFlow}
	if c.Sampling.Method == "em" {
		o.Predictor, o.Corrector = sde.EulerMaruyama, sde.CorrectorNone
	}
	return o, nil
}

// ODEOptions converts [sampling] into sde.ODEOptions.
func (c *Config) ODEOptions() (sde.ODEOptions, error) {
	m, err := sde.ParseODEMethod(c.Sampling.ODESolver)
	if err != nil {
		return sde.ODEOptions{}, err
	}
	return sde.ODEOptions{Method: m, RTol: c.Sampling.RTol, ATol: c.Sampling.ATol, Steps: c.SamplingSteps(),
		Eps: c.Sampling.Eps, Denoise: c.Sampling.NoiseRemoval}, nil
}

// ALDRange is the annealed Langevin ladder's (sigma_1, sigma_L):
// sampling.sigma_begin / sigma_end, defaulting to sde.sigma_max / sigma_min.
func (c *Config) ALDRange() (begin, end float64) {
	begin, end = c.Sampling.SigmaBegin, c.Sampling.SigmaEnd
	if begin == 0 {
		begin = c.SDE.SigmaMax
	}
	if end == 0 {
		end = c.SDE.SigmaMin
	}
	return begin, end
}

// ALDOptions converts [sampling] into sde.ALDOptions (geometric ladder of
// n_levels, n_steps_each per level, step_lr, noise_removal).
func (c *Config) ALDOptions() sde.ALDOptions {
	b, e := c.ALDRange()
	return sde.ALDOptions{Sigmas: sde.GeometricSigmas(b, e, c.Sampling.NLevels), StepsEach: c.Sampling.NStepsEach,
		Eps: c.Sampling.StepLR, Denoise: c.Sampling.NoiseRemoval}
}

// LikelihoodEstimator parses likelihood.estimator.
func (c *Config) LikelihoodEstimator() (sde.Estimator, error) {
	return sde.ParseEstimator(c.Likelihood.Estimator)
}
