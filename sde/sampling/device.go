package sampling

import (
	"context"
	"errors"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Device runs the samplers and the likelihood on a Vulkan device.
type Device struct {
	// Name is a device index or name part ("" for the best device); it is
	// opened per request unless Dev is set.
	Name string
	// Dev, when set, is an already open device (a viewer's window), used
	// as is and left open.
	Dev *vk.Device
	// Chunk is the number of fixed steps per submit (0: the sampler's
	// default).
	Chunk int
	// MaxBatch, when positive, caps the points per batch (see batch.go).
	MaxBatch int
	// OnChunk, when set, is called by the fixed-step samplers after every
	// chunk with the samples on the device, the time reached, the steps done
	// of all steps and the NFE so far. Returning ErrRestart starts the run
	// again with the next seed; another error stops it.
	OnChunk func(x *vk.Buffer, t float64, done, steps, nfe int) error
}

// ErrRestart, returned by Device.OnChunk, runs the request again with its
// seed plus one (a viewer's "new seed" key).
var ErrRestart = errors.New("restart")

func (b *Device) open() (*vk.Device, func(), error) {
	if b.Dev != nil {
		return b.Dev, func() {}, nil
	}
	dev, err := vk.Open(vk.Options{Device: b.Name})
	if err != nil {
		return nil, nil, err
	}
	return dev, dev.Close, nil
}

// Sample runs r on the device, in batches that fit it (see batch.go). A
// vk.ErrNoSuchDevice error means Name matched no device; a cancelled ctx
// stops the run between chunks of steps and batches with ErrInterrupted.
func (b *Device) Sample(ctx context.Context, r Request) ([]float64, int, error) {
	out := make([]float64, 0, r.N*r.Dim)
	nfe, err := b.sampleTo(ctx, r, func(x []float64) error {
		out = append(out, x...)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, nfe, nil
}

// sampleOnce runs r as one batch with lib's kernels and score, the run's
// score model (bound here to the batch's size).
func (b *Device) sampleOnce(ctx context.Context, lib *kernels.Lib, score Score, r Request) ([]float64, int, error) {
	if err := checkRequest(r); err != nil {
		return nil, 0, err
	}
	var x []float32
	var err error
	nfe := 0
	if r.Method == ODE {
		var res ODEResult
		if x, res, err = odeSample(lib, r.SDE, score, r.N, r.Dim, r.ODE, r.Seed, r.First); err != nil {
			return nil, 0, err
		}
		nfe = res.NFE
	} else if r.Method == Adaptive {
		var res AdaptiveResult
		if x, res, err = adaptiveSample(lib, r.SDE, score, r.N, r.Dim, r.Adapt, r.Seed, r.First); err != nil {
			return nil, 0, err
		}
		nfe = res.NFE
	} else {
		p, err := b.fixedStep(ctx, lib, r, score)
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
	if ctx.Err() != nil {
		return nil, 0, ErrInterrupted
	}
	return out, nfe, nil
}

// fixedStep prepares the PC / EM / annealed or plain Langevin sampler of r.
func (b *Device) fixedStep(ctx context.Context, lib *kernels.Lib, r Request, score Score) (*PCSampler, error) {
	var p *PCSampler
	var err error
	steps := 0
	opts := PCOptions{Chunk: b.Chunk}
	switch r.Method {
	case PC, EM:
		opts.PCOptions = r.PC
		p, err = NewPC(lib, r.SDE, score, r.N, r.Dim, opts, r.Seed)
		if err == nil && r.Known != nil {
			if err = p.SetKnown(r.Known); err != nil {
				p.Close()
			}
		}
		steps = r.SDE.N()
	case ALD, Langevin:
		ald := r.ALD
		if r.Method == Langevin {
			ald = sde.ALDOptions{Sigmas: []float64{r.Langevin.Sigma}, StepsEach: r.Langevin.Steps, Eps: r.Langevin.Step}
		}
		timeOf, terr := noiseLevelTime(r)
		if terr != nil {
			return nil, terr
		}
		rows, rerr := ALDRows(ald, timeOf)
		if rerr != nil {
			return nil, requestErrorf("%s: %v", r.Method, rerr)
		}
		steps = len(rows)
		p, err = NewRows(lib, score, r.N, r.Dim, rows, r.InitStd, opts, r.Seed)
	default:
		p, steps, err = newFastSampler(lib, r, score, b.Chunk)
	}
	if err != nil {
		return nil, err
	}
	if err := p.SetFirst(r.First); err != nil {
		p.Close()
		return nil, err
	}
	p.SetOnChunk(func(done int) error {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		if b.OnChunk == nil {
			return nil
		}
		return b.OnChunk(p.X, p.Times[done-1], done, steps, p.NFE()*done/steps)
	})
	return p, nil
}

// noiseLevelTime maps the Langevin samplers' noise levels sigma to the time
// column of their rows. The oracle is conditioned on sigma by the rows
// themselves (time 0); a network is conditioned on time, which is defined
// by sigma only under a VE SDE (sigma(t) = sigma_min (sigma_max /
// sigma_min)^t).
func noiseLevelTime(r Request) (func(sigma float64) float64, error) {
	if !r.Score.IsNet() {
		return func(float64) float64 { return 0 }, nil
	}
	ve, ok := r.SDE.(*sde.VE)
	if !ok {
		return nil, requestErrorf("%s: a learned score is conditioned on noise levels only under a VE SDE", r.Method)
	}
	return ve.TimeOfSigma, nil
}

// LogLikelihood computes r on the device, in batches that fit it. The
// oracle's divergence is always exact here; r.Estimator applies to networks.
func (b *Device) LogLikelihood(ctx context.Context, r LikelihoodRequest) (*sde.LikelihoodResult, error) {
	if err := checkUnguided(r.Score); err != nil {
		return nil, err
	}
	dev, done, err := b.open()
	if err != nil {
		return nil, err
	}
	defer done()
	return b.likelihoodBatches(ctx, dev, r)
}

// likelihoodOnce computes r as one batch with lib's kernels.
func likelihoodOnce(lib *kernels.Lib, r LikelihoodRequest) (*sde.LikelihoodResult, error) {
	score, release, err := r.Score.deviceDivScore(lib, r.Estimator, r.Probes, r.Seed)
	if err != nil {
		return nil, err
	}
	defer release()
	n := len(r.X) / r.Dim
	x := make([]float32, len(r.X))
	for i, v := range r.X {
		x[i] = float32(v)
	}
	return LogLikelihood(lib, r.SDE, score, x, n, r.Dim, r.RTol, r.ATol, r.Eps)
}
