package sampling

import (
	"fmt"
	"strings"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/sde"
)

// Method names a sampler: the values of sampling.method and --sampler.
type Method string

// The samplers.
const (
	PC       Method = "pc"       // predictor-corrector (sde.PCSample)
	EM       Method = "em"       // Euler-Maruyama: PC with no corrector
	ODE      Method = "ode"      // the probability-flow ODE
	ALD      Method = "ald"      // annealed Langevin dynamics (NCSN)
	Langevin Method = "langevin" // plain Langevin dynamics at one noise level
	// The few-step samplers (sde.FastPlan) and the adaptive SDE solver
	// (sde.AdaptiveSample): fastrequest.go.
	DDIM     Method = "ddim"
	DPMPP2M  Method = "dpmpp2m"
	DPMPP3S  Method = "dpmpp3s"
	DPM      Method = "dpm"
	Euler    Method = "euler"
	Heun     Method = "heun"
	EDMSDE   Method = "edm-sde"
	UniPC    Method = "unipc"
	Adaptive Method = "adaptive"
)

// ParseMethod accepts the sampling.method names of config.Methods.
func ParseMethod(name string) (Method, error) {
	for _, m := range config.Methods {
		if m == name {
			return Method(m), nil
		}
	}
	return "", fmt.Errorf("unknown sampler %q (want %s)", name, strings.Join(config.Methods, " | "))
}

// LangevinFamily reports whether m conditions the score on noise levels and
// starts from N(0, InitStd^2 I) (ald, langevin) rather than integrating the
// reverse SDE or ODE from its prior (pc, em, ode).
func (m Method) LangevinFamily() bool { return m == ALD || m == Langevin }

// Request is one sampling run, the same for every backend.
type Request struct {
	SDE sde.SDE
	Dim int
	N   int // points
	// Seed keys the Philox streams rng.StreamPrior and rng.StreamPredictor
	// (and the corrector streams on the device).
	Seed uint64
	// First is the run index of the first point: the request makes points
	// First .. First+N-1 of the run of its seed. Sample i draws noise element
	// i*Dim.. of every draw, so with the samplers that hold it (doc.go) it
	// depends only on (Seed, i), however the run is split.
	First  int
	Method Method
	PC     sde.PCOptions       // pc, em
	ODE    sde.ODEOptions      // ode
	ALD    sde.ALDOptions      // ald
	Fast   sde.FastOptions     // ddim, dpmpp2m, dpmpp3s, dpm, euler, heun, edm-sde, unipc
	Adapt  sde.AdaptiveOptions // adaptive
	// Langevin is plain Langevin: Steps updates of step size Step on the
	// score at noise level Sigma.
	Langevin LangevinOptions
	// InitStd is the std of the N(0, InitStd^2 I) start of ald / langevin
	// (pc, em, ode start from the SDE's prior).
	InitStd float64
	Score   ScoreModel
	// Known, when set, holds part of every sample to the data: an
	// sde.Known inpaints, an sde.Grey colourises (pc or em;
	// sde.PCInpaint). It covers the N points of the request, or is one
	// row shared by all.
	Known sde.Constraint
	// Trace, when set, receives the batch at every score evaluation (and the
	// final points with t = -1). Only the Reference backend supports it.
	Trace func(x []float64, t float64)
}

// LangevinOptions configure plain Langevin dynamics.
type LangevinOptions struct {
	Sigma, Step float64
	Steps       int
}

// LikelihoodRequest is one probability-flow likelihood computation.
type LikelihoodRequest struct {
	SDE        sde.SDE
	Dim        int
	X          []float64 // N*Dim points
	Seed       uint64    // keys the probes (rng.StreamProbe)
	Estimator  sde.Estimator
	Probes     int
	RTol, ATol float64
	Eps        float64
	Score      ScoreModel
}

// Describe is a short human description of the sampler of r, for messages
// and plot titles.
func (r Request) Describe() string {
	switch r.Method {
	case PC:
		s := fmt.Sprintf("pc (%v + %v", r.PC.Predictor, r.PC.Corrector)
		if r.PC.Corrector != sde.CorrectorNone {
			s += fmt.Sprintf(", snr %g, %d corrector step(s)", r.PC.SNR, r.PC.NStepsEach)
		}
		return s + fmt.Sprintf(", %d steps)", r.SDE.N())
	case EM:
		return fmt.Sprintf("em (%d steps)", r.SDE.N())
	case ODE:
		if r.ODE.Method == sde.RK45 {
			return fmt.Sprintf("ode (rk45, rtol %g, atol %g)", r.ODE.RTol, r.ODE.ATol)
		}
		return fmt.Sprintf("ode (%v, %d steps)", r.ODE.Method, r.ODE.Steps)
	case ALD:
		L := len(r.ALD.Sigmas)
		return fmt.Sprintf("ald (%d levels %g .. %g, %d steps each, step_lr %g)", L, r.ALD.Sigmas[0], r.ALD.Sigmas[L-1], r.ALD.StepsEach, r.ALD.Eps)
	case Langevin:
		return fmt.Sprintf("langevin (%d steps of %g at sigma %g)", r.Langevin.Steps, r.Langevin.Step, r.Langevin.Sigma)
	}
	if d := r.describeFast(); d != "" {
		return d
	}
	return string(r.Method)
}
