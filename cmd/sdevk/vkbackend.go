package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// vkBackend runs the samplers and the likelihood on a Vulkan device: the
// default backend, selected by any --device but cpu-reference.
type vkBackend struct {
	device string
	// dev, when set, is an already open device (the viewer's window).
	dev *vk.Device
	// onChunk, when set, is called by fixed-step samplers every chunk of
	// steps with the samples on the device (the viewer draws them).
	onChunk func(x *vk.Buffer, t float64, done, steps, nfe int) error
	// chunk is the number of steps per submit (0: the sampler's default).
	chunk int
}

func (b vkBackend) open() (*vk.Device, func(), error) {
	if b.dev != nil {
		return b.dev, func() {}, nil
	}
	dev, err := vk.Open(vk.Options{Device: b.device})
	if errors.Is(err, vk.ErrNoSuchDevice) {
		return nil, nil, usagef("--device: %v", err)
	}
	if err != nil {
		return nil, nil, err
	}
	return dev, dev.Close, nil
}

// executor uploads the network's weights into a new executor on lib.
func (src scoreSource) executor(lib *kernels.Lib) (*vkexec.Executor, error) {
	exec := &vkexec.Executor{Lib: lib, Params: vkexec.NewParamStore(lib.Dev)}
	for _, p := range src.Net.Params() {
		v, ok := src.Weights[p.Name]
		if !ok {
			exec.Params.Release()
			return nil, fmt.Errorf("%s has no weights for %s", src.Name, p.Name)
		}
		if err := exec.Params.Set(p.Name, graph.Shape(p.Shape), v); err != nil {
			exec.Params.Release()
			return nil, err
		}
	}
	return exec, nil
}

// deviceScore builds the score model of src on the device.
func deviceScore(lib *kernels.Lib, src scoreSource, div sde.Estimator, probes int, seed uint64) (sampling.Score, func(), error) {
	if src.Net == nil {
		return &sampling.OracleScore{Lib: lib, GMM: src.GMM}, func() {}, nil
	}
	exec, err := src.executor(lib)
	if err != nil {
		return nil, nil, err
	}
	net := sampling.NetScore{Exec: exec, Build: src.Net.Build}
	if div < 0 {
		return &net, exec.Params.Release, nil
	}
	est := map[sde.Estimator]string{sde.ExactDiv: sampling.DivExact, sde.HutchinsonRademacher: sampling.DivRademacher, sde.HutchinsonGaussian: sampling.DivGaussian}[div]
	return &sampling.NetDivScore{NetScore: net, Estimator: est, Probes: probes, ProbeSeed: seed}, exec.Params.Release, nil
}

func (b vkBackend) Sample(ctx context.Context, o sampleOpts) ([]float64, int, error) {
	for {
		x, nfe, err := b.sampleOnce(ctx, o)
		if !errors.Is(err, errRestart) {
			return x, nfe, err
		}
		o.Seed++ // R in the viewer: the same run with the next seed
	}
}

func (b vkBackend) sampleOnce(ctx context.Context, o sampleOpts) ([]float64, int, error) {
	dev, done, err := b.open()
	if err != nil {
		return nil, 0, err
	}
	defer done()
	lib := kernels.New(dev)
	defer lib.Close()
	score, release, err := deviceScore(lib, o.Score, -1, 0, o.Seed)
	if err != nil {
		return nil, 0, err
	}
	defer release()
	var x []float32
	nfe := 0
	switch o.Method {
	case "ode":
		var res sampling.ODEResult
		if x, res, err = sampling.ODESample(lib, o.SDE, score, o.N, o.Dim, o.ODE, o.Seed); err != nil {
			return nil, 0, err
		}
		nfe = res.NFE
	default:
		p, err := b.fixedStep(lib, o, score)
		if err != nil {
			return nil, 0, err
		}
		defer p.Close()
		res, err := p.Run()
		if err != nil {
			return nil, 0, err
		}
		if x, err = p.Samples(); err != nil {
			return nil, 0, err
		}
		nfe = res.NFE
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out, nfe, ctx.Err()
}

// fixedStep prepares the PC / EM / annealed or plain Langevin sampler of o.
func (b vkBackend) fixedStep(lib *kernels.Lib, o sampleOpts, score sampling.Score) (*sampling.PCSampler, error) {
	var p *sampling.PCSampler
	var err error
	steps := 0
	opts := sampling.PCOptions{Chunk: b.chunk}
	switch o.Method {
	case "pc", "em":
		opts.PCOptions = o.PC
		p, err = sampling.NewPC(lib, o.SDE, score, o.N, o.Dim, opts, o.Seed)
		steps = o.SDE.N()
	case "ald", "langevin":
		ald := o.ALD
		if o.Method == "langevin" {
			ald = sde.ALDOptions{Sigmas: []float64{o.Langevin.Sigma}, StepsEach: o.Langevin.Steps, Eps: o.Langevin.Step}
		}
		timeOf := func(float64) float64 { return 0 } // the oracle is conditioned on sigma by the rows
		if o.Score.Net != nil {
			ve, ok := o.SDE.(*sde.VE)
			if !ok {
				return nil, usagef("--sampler %s: a learned score is conditioned on noise levels only under a VE SDE", o.Method)
			}
			timeOf = ve.TimeOfSigma
		}
		rows, rerr := sampling.ALDRows(ald, timeOf)
		if rerr != nil {
			return nil, usagef("--sampler %s: %v", o.Method, rerr)
		}
		steps = len(rows)
		p, err = sampling.NewRows(lib, score, o.N, o.Dim, rows, o.InitStd, opts, o.Seed)
	default:
		return nil, usagef("--sampler: unknown sampler %q", o.Method)
	}
	if err != nil {
		return nil, err
	}
	if b.onChunk != nil {
		p.SetOnChunk(func(done int) error { return b.onChunk(p.X, p.Times[done-1], done, steps, p.NFE()*done/steps) })
	}
	return p, nil
}

func (b vkBackend) LogLikelihood(ctx context.Context, o likelihoodOpts) (*sde.LikelihoodResult, error) {
	dev, done, err := b.open()
	if err != nil {
		return nil, err
	}
	defer done()
	lib := kernels.New(dev)
	defer lib.Close()
	score, release, err := deviceScore(lib, o.Score, o.Estimator, o.Probes, o.Seed)
	if err != nil {
		return nil, err
	}
	defer release()
	ds, ok := score.(sampling.DivScore)
	if !ok {
		return nil, fmt.Errorf("the score model has no divergence")
	}
	if o.Score.Net == nil && o.Estimator != sde.ExactDiv {
		fmt.Fprintf(cmdStderr, "sdevk: note: the oracle's divergence is exact on the device; --estimator %v is used with --device %s only\n", o.Estimator, refDevice)
	}
	n := len(o.X) / o.Dim
	x := make([]float32, len(o.X))
	for i, v := range o.X {
		x[i] = float32(v)
	}
	r, err := sampling.LogLikelihood(lib, o.SDE, ds, x, n, o.Dim, o.RTol, o.ATol, o.Eps)
	if err != nil {
		return nil, err
	}
	return &sde.LikelihoodResult{LogP: r.LogP, PriorLogP: r.PriorLogP, DeltaLogP: r.DeltaLogP,
		MeanLogP: r.MeanLogP, NatsPerDim: r.NatsPerDim, NFE: r.NFE, Stats: r.Stats}, ctx.Err()
}

// deviceLabel names the --device choice for messages.
func deviceLabel(device string) string {
	switch device {
	case refDevice:
		return refDevice
	case "":
		return "the default Vulkan device"
	}
	return "Vulkan device " + device
}
