package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk/kernels"
)

// FastMethod reports whether m is one of the few-step samplers of
// sde.FastPlan, and which.
func (m Method) FastMethod() (sde.FastMethod, bool) {
	f, err := sde.ParseFastMethod(string(m))
	return f, err == nil
}

// fastFromConfig fills r.Fast or r.Adapt from [sampling] for a few-step or
// adaptive method; any other method is unknown.
func (r *Request) fastFromConfig(c *config.Config) error {
	f := c.Sampling.FastSampling
	if r.Method == Adaptive {
		r.Adapt = sde.DefaultAdaptiveOptions()
		r.Adapt.RTol, r.Adapt.ATol = f.AdaptiveRTol, f.AdaptiveATol
		r.Adapt.Eps, r.Adapt.Denoise = c.Sampling.Eps, c.Sampling.NoiseRemoval
		return nil
	}
	m, ok := r.Method.FastMethod()
	if !ok {
		return fmt.Errorf("unknown sampler %q", r.Method)
	}
	grid, err := sde.ParseTimeGrid(f.Schedule)
	if err != nil {
		return fmt.Errorf("%s: sampling.schedule: %v", c.File, err)
	}
	r.Fast = sde.FastOptions{Method: m, Steps: f.FastSteps, Grid: grid, Rho: f.Rho, Eps: c.Sampling.Eps,
		Eta: f.Eta, Order: f.Order,
		EDM: sde.EDMOptions{SChurn: f.SChurn, SNoise: f.SNoise, STMin: f.STMin, STMax: f.STMax}}
	if _, err := sde.FastPlan(r.SDE, r.Fast); err != nil {
		return fmt.Errorf("%s: sampling: %v", c.File, err)
	}
	return nil
}

// describeFast describes a few-step or adaptive request ("" for others).
func (r Request) describeFast() string {
	if r.Method == Adaptive {
		return fmt.Sprintf("adaptive (em / improved euler, rtol %g, atol %g)", r.Adapt.RTol, r.Adapt.ATol)
	}
	m, ok := r.Method.FastMethod()
	if !ok {
		return ""
	}
	o := r.Fast
	grid := o.ResolvedGrid(r.SDE).String()
	if o.ResolvedGrid(r.SDE) == sde.GridKarras {
		grid = fmt.Sprintf("%s rho %g", grid, o.Rho)
	}
	s := fmt.Sprintf("%s (%d steps, %s schedule", m, o.Steps, grid)
	switch m {
	case sde.FastDDIM:
		s += fmt.Sprintf(", eta %g", o.Eta)
	case sde.FastDPM:
		s += fmt.Sprintf(", order %d", o.Order)
	case sde.FastEDMSDE:
		s += fmt.Sprintf(", s_churn %g, s_noise %g", o.EDM.SChurn, o.EDM.SNoise)
	}
	return s + ")"
}

// sampleFastReference runs a few-step or adaptive request in float64 on x
// (already the prior draw).
func sampleFastReference(r Request, x []float64, score sde.ScoreFunc) (int, error) {
	if _, ok := r.Method.FastMethod(); !ok && r.Method != Adaptive {
		return 0, requestErrorf("unknown sampler %q", r.Method)
	}
	normal := r.philoxNormal(rng.StreamPredictor)
	if r.Method == Adaptive {
		st, err := sde.AdaptiveSample(r.SDE, x, r.Dim, score, normal, r.Adapt)
		return st.NFE, err
	}
	p, err := sde.FastPlan(r.SDE, r.Fast)
	if err != nil {
		return 0, requestErrorf("%s: %v", r.Method, err)
	}
	return p.Run(x, score, normal)
}

// newFastSampler prepares the device sampler of a few-step request and
// returns its step count (stages).
func newFastSampler(lib *kernels.Lib, r Request, score Score, chunk int) (*PCSampler, int, error) {
	if _, ok := r.Method.FastMethod(); !ok {
		return nil, 0, requestErrorf("unknown sampler %q", r.Method)
	}
	plan, err := sde.FastPlan(r.SDE, r.Fast)
	if err != nil {
		return nil, 0, requestErrorf("%s: %v", r.Method, err)
	}
	p, err := NewPlan(lib, r.SDE, score, r.N, r.Dim, plan, chunk, r.Seed)
	return p, plan.NFE(), err
}
