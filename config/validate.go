package config

import (
	"math"
	"strings"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// Losses are the accepted training.loss values.
var Losses = []string{"dsm", "smld", "ddpm", "ssm", "ssm_vr", "exact"}

// Methods are the accepted sampling.method values.
var Methods = append([]string{"pc", "em", "ode", "ald", "langevin"}, append(sde.FastMethodNames, "adaptive")...)

func oneOf(v string, opts ...string) bool {
	for _, o := range opts {
		if v == o {
			return true
		}
	}
	return false
}

func list(opts []string) string { return strings.Join(opts, " | ") }

// Validate checks every value; the first problem is returned as an *Error
// naming its key and line.
func (c *Config) Validate() error {
	for _, f := range []func() *Error{c.validateData, c.validateSDE, c.validateModel, c.validateTraining,
		c.validateObjective, c.validateOptim, c.validateSampling, c.validateLikelihood} {
		if e := f(); e != nil {
			return e
		}
	}
	return nil
}

func (c *Config) validateData() *Error {
	d := c.Data
	switch {
	case d.Kind == "gmm":
		if len(d.Components) == 0 {
			return c.errAt("data.components", `data.kind = "gmm" needs at least one [[data.components]]`)
		}
		for k, comp := range d.Components {
			if _, err := data.NewGMM([]data.Component{{Weight: comp.Weight, Mean: comp.Mean, Std: comp.Std, Cov: comp.Cov}}); err != nil {
				return c.compErr(k, "data.components", "component %d: %s", k+1, strings.TrimPrefix(strings.TrimPrefix(err.Error(), "gmm: "), "component 1: "))
			}
		}
		if _, err := c.GMM(); err != nil {
			return c.errAt("data.components", "%s", strings.TrimPrefix(err.Error(), "gmm: "))
		}
	case d.Kind == KindImages:
		if e := c.validateImages(); e != nil {
			return e
		}
	case d.Kind == "npy":
		if d.Path == "" {
			return c.errAt("data.path", `data.kind = "npy" needs data.path`)
		}
	default:
		if _, err := data.Builtin(d.Kind); err != nil {
			return c.errAt("data.kind", "unknown data kind %q (want gmm | npy | images | %s)", d.Kind, list(data.BuiltinNames()))
		}
	}
	if d.Kind != "gmm" && len(d.Components) > 0 {
		return c.errAt("data.components", "components are only used with data.kind = \"gmm\" (kind is %q)", d.Kind)
	}
	return nil
}

func (c *Config) validateSDE() *Error {
	s := c.SDE
	if _, err := sde.ParseKind(s.Kind); err != nil {
		return c.errAt("sde.kind", "unknown SDE %q (want ve | vp | subvp)", s.Kind)
	}
	if s.NumScales < 2 {
		return c.errAt("sde.num_scales", "must be >= 2, got %d", s.NumScales)
	}
	if s.Kind == "ve" {
		if !(s.SigmaMin > 0) {
			return c.errAt("sde.sigma_min", "must be > 0, got %g", s.SigmaMin)
		}
		if !(s.SigmaMax > s.SigmaMin) || math.IsInf(s.SigmaMax, 0) {
			return c.errAt("sde.sigma_max", "must be finite and above sigma_min = %g, got %g", s.SigmaMin, s.SigmaMax)
		}
		return nil
	}
	if !(s.BetaMin > 0) {
		return c.errAt("sde.beta_min", "must be > 0, got %g", s.BetaMin)
	}
	if !(s.BetaMax >= s.BetaMin) || math.IsInf(s.BetaMax, 0) {
		return c.errAt("sde.beta_max", "must be finite and >= beta_min = %g, got %g", s.BetaMin, s.BetaMax)
	}
	// beta_max / N < 1, the discrete chain's condition, is checked where
	// the chain is used: the ddpm loss and some PC samplers.
	if c.Training.Loss == "ddpm" && s.BetaMax/float64(s.NumScales) >= 1 {
		return c.errAt("sde.num_scales", "beta_max / num_scales = %g must be < 1 (the ddpm loss's discrete betas)", s.BetaMax/float64(s.NumScales))
	}
	return nil
}

func (c *Config) validateModel() *Error {
	m := c.Model
	if c.Data.Dataset != "" && !oneOf(c.Data.Dataset, Datasets...) {
		return c.errAt("data.dataset", "unknown dataset %q (want %s)", c.Data.Dataset, list(Datasets))
	}
	if c.IsUNet() {
		if e := c.validateUNet(); e != nil {
			return e
		}
	}
	switch {
	case !oneOf(strings.ToLower(m.Name), "mlp", model.UNetDDPM, model.UNetNCSNpp, ModelClassifier):
		return c.errAt("model.name", "unknown model %q (want mlp | ddpm | ncsnpp | classifier)", m.Name)
	case m.Hidden < 1:
		return c.errAt("model.hidden", "must be >= 1, got %d", m.Hidden)
	case m.Layers < 1:
		return c.errAt("model.layers", "must be >= 1, got %d", m.Layers)
	case !oneOf(m.Embedding, "fourier", "sinusoidal"):
		return c.errAt("model.embedding", "unknown embedding %q (want fourier | sinusoidal)", m.Embedding)
	case m.EmbeddingDim < 2 || m.EmbeddingDim%2 != 0:
		return c.errAt("model.embedding_dim", "must be even and >= 2, got %d", m.EmbeddingDim)
	case !(m.FourierScale > 0):
		return c.errAt("model.fourier_scale", "must be > 0, got %g", m.FourierScale)
	case !oneOf(m.Activation, "silu", "relu", "tanh", "softplus", "gelu"):
		return c.errAt("model.activation", "unknown activation %q (want silu | relu | tanh | softplus | gelu)", m.Activation)
	case !(m.EMARate >= 0 && m.EMARate < 1):
		return c.errAt("model.ema_rate", "must be in [0, 1), got %g", m.EMARate)
	}
	return nil
}

func (c *Config) validateTraining() *Error {
	t := c.Training
	switch {
	case t.BatchSize < 1:
		return c.errAt("training.batch_size", "must be >= 1, got %d", t.BatchSize)
	case t.NIters < 0:
		return c.errAt("training.n_iters", "must be >= 0, got %d", t.NIters)
	case !oneOf(t.Loss, Losses...):
		return c.errAt("training.loss", "unknown loss %q (want %s)", t.Loss, list(Losses))
	case t.Loss == "smld" && c.SDE.Kind != "ve":
		return c.errAt("training.loss", `"smld" needs sde.kind = "ve" (kind is %q)`, c.SDE.Kind)
	case t.Loss == "ddpm" && c.SDE.Kind != "vp":
		return c.errAt("training.loss", `"ddpm" needs sde.kind = "vp" (kind is %q)`, c.SDE.Kind)
	case !(t.Eps > 0 && t.Eps < 1):
		return c.errAt("training.eps", "must be in (0, 1), got %g", t.Eps)
	case t.NParticles < 1:
		return c.errAt("training.n_particles", "must be >= 1, got %d", t.NParticles)
	case !oneOf(t.Projection, "rademacher", "gaussian", "sphere"):
		return c.errAt("training.projection", "unknown projection %q (want rademacher | gaussian | sphere)", t.Projection)
	case t.SnapshotFreq < 1:
		return c.errAt("training.snapshot_freq", "must be >= 1, got %d", t.SnapshotFreq)
	case t.SnapshotFreqForPreemption < 0:
		return c.errAt("training.snapshot_freq_for_preemption", "must be >= 0 (0: none), got %d", t.SnapshotFreqForPreemption)
	case t.LogFreq < 1:
		return c.errAt("training.log_freq", "must be >= 1, got %d", t.LogFreq)
	}
	return nil
}

func (c *Config) validateOptim() *Error {
	o := c.Optim
	switch {
	case !oneOf(o.Optimizer, "adam", "adamw"):
		return c.errAt("optim.optimizer", "unknown optimizer %q (want adam | adamw)", o.Optimizer)
	case !(o.LR > 0) || math.IsInf(o.LR, 0):
		return c.errAt("optim.lr", "must be > 0, got %g", o.LR)
	case !(o.Beta1 >= 0 && o.Beta1 < 1):
		return c.errAt("optim.beta1", "must be in [0, 1), got %g", o.Beta1)
	case !(o.Beta2 >= 0 && o.Beta2 < 1):
		return c.errAt("optim.beta2", "must be in [0, 1), got %g", o.Beta2)
	case !(o.Eps > 0):
		return c.errAt("optim.eps", "must be > 0, got %g", o.Eps)
	case o.Warmup < 0:
		return c.errAt("optim.warmup", "must be >= 0, got %d", o.Warmup)
	case !(o.GradClip >= 0):
		return c.errAt("optim.grad_clip", "must be >= 0 (0 disables), got %g", o.GradClip)
	case !(o.WeightDecay >= 0):
		return c.errAt("optim.weight_decay", "must be >= 0, got %g", o.WeightDecay)
	}
	return nil
}

func (c *Config) validateSampling() *Error {
	s := c.Sampling
	if !oneOf(s.Method, Methods...) {
		return c.errAt("sampling.method", "unknown sampler %q (want %s)", s.Method, list(Methods))
	}
	p, err := sde.ParsePredictor(s.Predictor)
	if err != nil {
		return c.errAt("sampling.predictor", "unknown predictor %q (want %s)", s.Predictor, list(sde.PredictorNames))
	}
	if p == sde.AncestralSampling && c.SDE.Kind == "subvp" {
		return c.errAt("sampling.predictor", "ancestral_sampling is defined for ve and vp only, not subvp")
	}
	kind, _ := sde.ParseKind(c.SDE.Kind) // validateSDE checked it
	cr, err := sde.ParseCorrector(s.Corrector)
	if err != nil {
		return c.errAt("sampling.corrector", "unknown corrector %q (want %s)", s.Corrector, list(sde.CorrectorNames))
	}
	if _, err := sde.ParseODEMethod(s.ODESolver); err != nil {
		return c.errAt("sampling.ode_solver", "unknown ODE solver %q (want rk45 | euler | heun)", s.ODESolver)
	}
	switch {
	case cr != sde.CorrectorNone && !(s.SNR > 0):
		return c.errAt("sampling.snr", "must be > 0 with corrector %q, got %g", s.Corrector, s.SNR)
	case s.NStepsEach < 1:
		return c.errAt("sampling.n_steps_each", "must be >= 1, got %d", s.NStepsEach)
	case s.NSteps < 0 || s.NSteps == 1:
		return c.errAt("sampling.n_steps", "must be >= 2 (or 0 for sde.num_scales), got %d", s.NSteps)
	case s.Method == "pc" && sde.DiscreteChainUsers(kind, p, cr) != "" && c.SDE.BetaMax/float64(c.SamplingSteps()) >= 1:
		key := "sampling.n_steps"
		if s.NSteps == 0 {
			key = "sde.num_scales"
		}
		return c.errAt(key, "beta_max / N = %g must be < 1 for the discrete betas of N = %d steps, needed by %s (%s)",
			c.SDE.BetaMax/float64(c.SamplingSteps()), c.SamplingSteps(), sde.DiscreteChainUsers(kind, p, cr), sde.DiscreteChainNote)
	case !(s.RTol > 0):
		return c.errAt("sampling.rtol", "must be > 0, got %g", s.RTol)
	case !(s.ATol > 0):
		return c.errAt("sampling.atol", "must be > 0, got %g", s.ATol)
	case !(s.Eps > 0 && s.Eps < 1):
		return c.errAt("sampling.eps", "must be in (0, 1), got %g", s.Eps)
	case s.NSamples < 1:
		return c.errAt("sampling.n_samples", "must be >= 1, got %d", s.NSamples)
	case !(s.StepLR > 0):
		return c.errAt("sampling.step_lr", "must be > 0, got %g", s.StepLR)
	case s.NLevels < 1:
		return c.errAt("sampling.n_levels", "must be >= 1, got %d", s.NLevels)
	case s.SigmaBegin < 0:
		return c.errAt("sampling.sigma_begin", "must be >= 0 (0 = sde.sigma_max), got %g", s.SigmaBegin)
	case s.SigmaEnd < 0:
		return c.errAt("sampling.sigma_end", "must be >= 0 (0 = sde.sigma_min), got %g", s.SigmaEnd)
	}
	if err := c.validateFastSampling(); err != nil {
		return err
	}
	if s.Method == "ald" {
		b, e := c.ALDRange()
		if !(b > e) {
			return c.errAt("sampling.sigma_begin", "ALD needs sigma_begin %g > sigma_end %g", b, e)
		}
	}
	return nil
}

func (c *Config) validateLikelihood() *Error {
	l := c.Likelihood
	switch {
	case !oneOf(l.Estimator, "rademacher", "gaussian", "exact"):
		return c.errAt("likelihood.estimator", "unknown estimator %q (want rademacher | gaussian | exact)", l.Estimator)
	case l.Probes < 1:
		return c.errAt("likelihood.probes", "must be >= 1, got %d", l.Probes)
	case !(l.RTol > 0):
		return c.errAt("likelihood.rtol", "must be > 0, got %g", l.RTol)
	case !(l.ATol > 0):
		return c.errAt("likelihood.atol", "must be > 0, got %g", l.ATol)
	case !(l.Eps > 0 && l.Eps < 1):
		return c.errAt("likelihood.eps", "must be in (0, 1), got %g", l.Eps)
	}
	return nil
}
