package main

// Sampler and likelihood backends. The pure-Go float64 reference (package
// sde) is one; the Vulkan backend plugs in next to it by adding an entry to
// backends (and becoming the default for an empty --device).

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sdevk/sdevk/sde"
)

// refDevice is the --device name of the pure-Go reference backend.
const refDevice = "cpu-reference"

// Noise streams of a sampling run: the device backends number their Philox
// draws the same way so that, for one seed, they see the same noise.
const (
	streamInit   uint32 = 0 // the starting points (prior, or ALD's N(0, sigma_1^2))
	streamSample uint32 = 1 // the sampler's draws, one per noisy update
	streamProbe  uint32 = 2 // the likelihood's Hutchinson probes
)

// sampleOpts is one sampling request, the same for every backend.
type sampleOpts struct {
	SDE sde.SDE
	Dim int
	N   int // points
	// Seed keys the Philox streams streamInit and streamSample.
	Seed uint64
	// Method is pc | em | ode | ald | langevin.
	Method string
	PC     sde.PCOptions  // pc, em
	ODE    sde.ODEOptions // ode
	ALD    sde.ALDOptions // ald
	// Langevin is plain Langevin: Steps updates of step size Step on the
	// score at noise level Sigma.
	Langevin langevinOpts
	// InitStd is the std of the N(0, InitStd^2 I) start of ald / langevin
	// (pc, em, ode start from the SDE's prior).
	InitStd float64
	Score   scoreSource
	// Trace, when set, receives the batch at every score evaluation (and the
	// final points with t = -1). Only the reference backend supports it.
	Trace func(x []float64, t float64)
}

type langevinOpts struct {
	Sigma, Step float64
	Steps       int
}

// likelihoodOpts is one likelihood request.
type likelihoodOpts struct {
	SDE        sde.SDE
	Dim        int
	X          []float64 // N*Dim points
	Seed       uint64    // keys the probe stream streamProbe
	Estimator  sde.Estimator
	Probes     int
	RTol, ATol float64
	Eps        float64
	Score      scoreSource
}

// samplerBackend draws samples: it returns N*Dim values and the NFE (batch
// score evaluations actually made).
type samplerBackend interface {
	Sample(ctx context.Context, o sampleOpts) (x []float64, nfe int, err error)
}

// likelihoodBackend computes probability-flow log-likelihoods.
type likelihoodBackend interface {
	LogLikelihood(ctx context.Context, o likelihoodOpts) (*sde.LikelihoodResult, error)
}

// backends maps --device names to constructors.
var backends = map[string]func() any{
	refDevice: func() any { return refBackend{} },
}

func backendNames() string {
	var n []string
	for k := range backends {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, " | ")
}

// chooseBackend returns the backend of --device: the pure-Go reference for
// cpu-reference, else the Vulkan device it names (or the best one).
func chooseBackend(device string) (any, error) {
	if mk, ok := backends[device]; ok {
		return mk(), nil
	}
	return vkBackend{device: device}, nil
}

func chooseSampler(device string) (samplerBackend, error) {
	b, err := chooseBackend(device)
	if err != nil {
		return nil, err
	}
	s, ok := b.(samplerBackend)
	if !ok {
		return nil, usagef("--device %s: this backend cannot sample", device)
	}
	return s, nil
}

func chooseLikelihood(device string) (likelihoodBackend, error) {
	b, err := chooseBackend(device)
	if err != nil {
		return nil, err
	}
	l, ok := b.(likelihoodBackend)
	if !ok {
		return nil, usagef("--device %s: this backend cannot compute likelihoods", device)
	}
	return l, nil
}

// refBackend runs the float64 reference samplers of package sde on the host.
type refBackend struct{}

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
		*err = errInterrupted
	}
}

// errRefNet is the reference backend's answer to likelihoods of learned
// scores, which would need the network's Jacobian-vector products on the host.
var errRefNet = usagef("--device %s computes likelihoods of oracle scores only; use a Vulkan device for a checkpoint", refDevice)

func (refBackend) Sample(ctx context.Context, o sampleOpts) (x []float64, nfe int, err error) {
	defer recoverInterrupt(&err)
	if o.Score.Net != nil && (o.Method == "ald" || o.Method == "langevin") {
		return nil, 0, usagef("--device %s samples learned scores with pc, em or ode", refDevice)
	}
	x = make([]float64, o.N*o.Dim)
	initNormal := sde.PhiloxNormal(o.Seed, streamInit)
	normal := sde.PhiloxNormal(o.Seed, streamSample)
	switch o.Method {
	case "pc", "em", "ode":
		sde.PriorSample(o.SDE, x, initNormal)
		score := guardScore(ctx, o.Score.timeScore(o.SDE), o.Trace)
		if o.Method == "ode" {
			nfe, _, err = sde.ODESample(o.SDE, x, o.Dim, score, o.ODE)
		} else {
			nfe, err = sde.PCSample(o.SDE, x, o.Dim, score, normal, o.PC)
		}
	case "ald", "langevin":
		initNormal(x)
		for i := range x {
			x[i] *= o.InitStd
		}
		score := guardScore(ctx, o.Score.sigmaScore(), o.Trace)
		if o.Method == "ald" {
			nfe, err = sde.AnnealedLangevin(x, score, o.ALD, normal)
		} else {
			nfe, err = sde.Langevin(x, score, o.Langevin.Sigma, o.Langevin.Step, o.Langevin.Steps, normal)
		}
	default:
		return nil, 0, fmt.Errorf("unknown sampler %q", o.Method)
	}
	if err == nil && o.Trace != nil {
		o.Trace(x, -1)
	}
	return x, nfe, err
}

func (refBackend) LogLikelihood(ctx context.Context, o likelihoodOpts) (r *sde.LikelihoodResult, err error) {
	defer recoverInterrupt(&err)
	if o.Score.Net != nil {
		return nil, errRefNet
	}
	score := guardScore(ctx, o.Score.timeScore(o.SDE), nil)
	orc := o.Score.oracle(o.SDE)
	return sde.LogLikelihood(o.SDE, o.X, o.Dim, sde.LikelihoodOptions{
		Score: score, Div: orc.Div, JVP: orc.JVP, Estimator: o.Estimator, Probes: o.Probes,
		Normal: sde.PhiloxNormal(o.Seed, streamProbe), RTol: o.RTol, ATol: o.ATol, Eps: o.Eps,
	})
}
