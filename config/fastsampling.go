package config

import "github.com/sdevk/sdevk/sde"

// validateFastSampling checks the keys of FastSampling.
func (c *Config) validateFastSampling() *Error {
	f := c.Sampling.FastSampling
	if _, err := sde.ParseTimeGrid(f.Schedule); err != nil {
		return c.errAt("sampling.schedule", "unknown schedule %q (want %s)", f.Schedule, list(sde.TimeGridNames))
	}
	switch {
	case f.FastSteps < 1:
		return c.errAt("sampling.fast_steps", "must be >= 1, got %d", f.FastSteps)
	case !(f.Rho > 0):
		return c.errAt("sampling.rho", "must be > 0, got %g", f.Rho)
	case !(f.Eta >= 0 && f.Eta <= 1):
		return c.errAt("sampling.eta", "must be in [0, 1], got %g", f.Eta)
	case f.Order != 2 && f.Order != 3:
		return c.errAt("sampling.order", "must be 2 or 3, got %d", f.Order)
	case !(f.SChurn >= 0):
		return c.errAt("sampling.s_churn", "must be >= 0, got %g", f.SChurn)
	case !(f.SNoise >= 0):
		return c.errAt("sampling.s_noise", "must be >= 0, got %g", f.SNoise)
	case !(f.STMin >= 0):
		return c.errAt("sampling.s_tmin", "must be >= 0, got %g", f.STMin)
	case !(f.STMax >= 0) || (f.STMax > 0 && f.STMax < f.STMin):
		return c.errAt("sampling.s_tmax", "must be 0 (no bound) or >= s_tmin %g, got %g", f.STMin, f.STMax)
	case !(f.AdaptiveRTol > 0):
		return c.errAt("sampling.adaptive_rtol", "must be > 0, got %g", f.AdaptiveRTol)
	case !(f.AdaptiveATol > 0):
		return c.errAt("sampling.adaptive_atol", "must be > 0, got %g", f.AdaptiveATol)
	}
	return nil
}
