package sampling

import (
	"context"
	"errors"
	"fmt"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/sde"
)

// Backend runs sampling and likelihood requests: the pure-Go float64
// Reference, or a Vulkan Device.
type Backend interface {
	// Sample returns N*Dim values and the NFE (batch score evaluations made).
	Sample(ctx context.Context, r Request) (x []float64, nfe int, err error)
	// LogLikelihood computes probability-flow log-likelihoods of r.X.
	LogLikelihood(ctx context.Context, r LikelihoodRequest) (*sde.LikelihoodResult, error)
}

// ReferenceDevice is the --device name of the Reference backend.
const ReferenceDevice = "cpu-reference"

// NewBackend returns the backend of a --device name: the Reference for
// ReferenceDevice, else the Vulkan device it names ("" for the best one).
func NewBackend(device string) Backend {
	if device == ReferenceDevice {
		return Reference{}
	}
	return &Device{Name: device}
}

// DeviceLabel names a --device choice for messages.
func DeviceLabel(device string) string {
	switch device {
	case ReferenceDevice:
		return ReferenceDevice
	case "":
		return "the default Vulkan device"
	}
	return "Vulkan device " + device
}

// RequestError is a request a backend cannot serve: a bad combination of its
// fields, not a failure of the device. Commands report it as bad input.
type RequestError struct{ Msg string }

func (e *RequestError) Error() string { return e.Msg }

func requestErrorf(format string, args ...any) error {
	return &RequestError{fmt.Sprintf(format, args...)}
}

// checkRequest refuses what no backend can run: a constraint or guidance
// its method cannot take, or a PC sampler stepping along a discrete chain
// that does not exist at the run's N.
func checkRequest(r Request) error {
	if err := checkInpaint(r); err != nil {
		return err
	}
	if err := checkGuidedMethod(r); err != nil {
		return err
	}
	if r.Method == PC || r.Method == EM {
		if err := sde.CheckDiscreteChain(r.SDE, r.PC); err != nil {
			return requestErrorf("%v", err)
		}
	}
	return nil
}

// ErrInterrupted is returned by a run whose context was cancelled.
var ErrInterrupted = errors.New("interrupted")

// Reference runs the float64 reference samplers of package sde on the host.
type Reference struct{}

// interrupt is the panic value that unwinds a reference sampler whose
// context was cancelled (the samplers take no context; the score does).
type interrupt struct{}

func guardScore(ctx context.Context, f sde.ScoreFunc, trace func([]float64, float64)) sde.ScoreFunc {
	return func(x []float64, t float64, out []float64) {
		if ctx.Err() != nil {
			panic(interrupt{})
		}
		if trace != nil {
			trace(x, t)
		}
		f(x, t, out)
	}
}

func recoverInterrupt(err *error) {
	if r := recover(); r != nil {
		if _, ok := r.(interrupt); !ok {
			panic(r)
		}
		*err = ErrInterrupted
	}
}

// Sample runs r's sampler; a learned score is evaluated by the float64
// reference executor, with pc, em or ode.
func (Reference) Sample(ctx context.Context, r Request) (x []float64, nfe int, err error) {
	defer recoverInterrupt(&err)
	if r.Score.IsNet() && r.Method.LangevinFamily() {
		return nil, 0, requestErrorf("%s samples learned scores with pc, em or ode, not %s", ReferenceDevice, r.Method)
	}
	if err := checkRequest(r); err != nil {
		return nil, 0, err
	}
	if r.Known != nil && r.First != 0 {
		return nil, 0, requestErrorf("%s inpaints whole runs only (first sample 0, not %d)", ReferenceDevice, r.First)
	}
	x = make([]float64, r.N*r.Dim)
	initNormal := r.philoxNormal(rng.StreamPrior)
	normal := r.philoxNormal(rng.StreamPredictor)
	switch r.Method {
	case PC, EM, ODE:
		sde.PriorSample(r.SDE, x, initNormal)
		score := guardScore(ctx, r.Score.TimeScore(r.SDE), r.Trace)
		if r.Method == ODE {
			nfe, _, err = sde.ODESample(r.SDE, x, r.Dim, score, r.ODE)
		} else if r.Known != nil {
			nfe, err = sde.PCInpaint(r.SDE, x, r.Dim, score, r.Seed, r.PC, r.Known)
		} else {
			nfe, err = sde.PCSample(r.SDE, x, r.Dim, score, normal, r.PC)
		}
	case ALD, Langevin:
		initNormal(x)
		for i := range x {
			x[i] *= r.InitStd
		}
		score := guardScore(ctx, r.Score.sigmaScore(), r.Trace)
		if r.Method == ALD {
			nfe, err = sde.AnnealedLangevin(x, score, r.ALD, normal)
		} else {
			nfe, err = sde.Langevin(x, score, r.Langevin.Sigma, r.Langevin.Step, r.Langevin.Steps, normal)
		}
	default:
		sde.PriorSample(r.SDE, x, initNormal)
		nfe, err = sampleFastReference(r, x, guardScore(ctx, r.Score.TimeScore(r.SDE), r.Trace))
	}
	if err == nil && r.Trace != nil {
		r.Trace(x, -1)
	}
	return x, nfe, err
}

// philoxNormal is sde.PhiloxNormal for the request's points: the k-th call
// fills dst with elements First*Dim.. of Philox step k of the stream, the
// part of one run's draw that its points take (as the device draws them).
func (r Request) philoxNormal(stream uint32) sde.Normal {
	var step uint32
	return func(dst []float64) {
		rng.NormalAt(dst, rng.Key{Seed: r.Seed, Stream: stream, Step: step}, r.First*r.Dim)
		step++
	}
}

// LogLikelihood integrates the probability-flow ODE on the host, for oracle
// scores (a network's divergence would need its Jacobian on the host).
func (Reference) LogLikelihood(ctx context.Context, r LikelihoodRequest) (res *sde.LikelihoodResult, err error) {
	defer recoverInterrupt(&err)
	if err := checkUnguided(r.Score); err != nil {
		return nil, err
	}
	if r.Score.IsNet() {
		return nil, requestErrorf("%s computes likelihoods of oracle scores only; use a Vulkan device for a network", ReferenceDevice)
	}
	score := guardScore(ctx, r.Score.TimeScore(r.SDE), nil)
	orc := r.Score.Oracle(r.SDE)
	return sde.LogLikelihood(r.SDE, r.X, r.Dim, sde.LikelihoodOptions{
		Score: score, Div: orc.Div, JVP: orc.JVP, Estimator: r.Estimator, Probes: r.Probes,
		Normal: sde.PhiloxNormal(r.Seed, rng.StreamProbe), RTol: r.RTol, ATol: r.ATol, Eps: r.Eps,
	})
}
