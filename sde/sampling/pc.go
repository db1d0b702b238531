package sampling

import (
	"fmt"
	"time"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// PCOptions configures PC: sde.PCOptions plus the batch and how many steps
// each recorded chunk holds.
type PCOptions struct {
	sde.PCOptions
	// Chunk is the number of steps recorded per submit (default 50).
	Chunk int
	// OnChunk, when set, is called after each chunk with the steps done so
	// far; the viewer draws a frame there. The samples are in X.
	OnChunk func(done int) error
}

// Result describes a finished run.
type Result struct {
	NFE      int
	Steps    int
	Duration time.Duration
	// RecordTime is the host time spent recording commands.
	RecordTime time.Duration
	// HostTime is the host time of the run less the waits for the device:
	// recording, submitting and the coefficient uploads.
	HostTime time.Duration
	// Timings is the GPU time of each dispatch of the last full chunk
	// (ChunkSteps steps), on a device opened with vk.Options.Profile.
	Timings    []vk.Timing
	ChunkSteps int
}

// Sampler is a batch of samples on the device and the recorded steps that
// update it.
type Sampler struct {
	Lib   *kernels.Lib
	X     *vk.Buffer // b x d samples
	B, D  int
	Sched *Schedule
	Seed  uint64
	// Times holds each step's time t (or noise level's time), for progress.
	Times []float64
	score Score
	norms *scoreNorms
}

// newSampler is a sampler whose table holds rows.
func newSampler(lib *kernels.Lib, score Score, b, d int, rows []Row, priorStd float64, seed uint64) (*Sampler, error) {
	s, err := newSamplerCap(lib, score, b, d, len(rows), 0, priorStd, seed)
	if err != nil {
		return nil, err
	}
	if err := s.Sched.write(rows, nil); err != nil {
		s.Close()
		return nil, err
	}
	for _, r := range rows {
		s.Times = append(s.Times, r.T)
	}
	return s, nil
}

// SetFirst makes the batch points first .. first+B-1 of a run: every draw
// (prior, predictor, corrector, inpainting) takes the noise those points take
// in one run of all points, so sample i depends only on (seed, i), not on
// how the run is cut into batches. It resets the run state (step 0).
func (s *Sampler) SetFirst(first int) error {
	if err := s.Sched.setFirst(first, s.B, s.D); err != nil {
		return err
	}
	return s.Sched.Reset(s.Seed)
}

// Close frees the sampler's device memory (not the score model's executor).
func (s *Sampler) Close() {
	s.score.Close()
	s.norms.close()
	s.Sched.Close()
	s.X.Free()
}

// Samples reads the batch back.
func (s *Sampler) Samples() ([]float32, error) {
	out := make([]float32, s.B*s.D)
	return out, s.X.Download(out)
}

// recordPrior records x = prior std * z.
func (s *Sampler) recordPrior(seq *vk.Sequence) error {
	c := kernels.Coef{Buf: s.Sched.Coef, Col: s.Sched.prior}
	return s.Lib.LinComb(seq, s.X, s.B*s.D, c, s.Sched.State, kernels.NormalNoise, rng.StreamPrior)
}

// PCRows computes the coefficient table of the PC sampler for s.
func PCRows(s sde.SDE, o sde.PCOptions) ([]Row, error) {
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	ts := sde.Linspace(s.T(), eps, s.N())
	dt := -s.T() / float64(s.N())
	rows := make([]Row, len(ts))
	for i, t := range ts {
		m, std := s.Marginal(t)
		r := Row{T: t, Mean: m, Std: std, Alpha: sde.CorrectorAlpha(s, t)}
		var err error
		if o.Predictor != sde.PredictorNone {
			r.Pred, err = affine(func(x, sc, z []float64) error {
				return sde.PredictorStep(o.Predictor, s, x, make([]float64, 1), sc, z, t, dt, o.ProbabilityFlow)
			})
			if err != nil {
				return nil, err
			}
			if o.ProbabilityFlow || (o.Denoise && i == len(ts)-1) {
				r.Pred[2] = 0 // the noise-free mean
			}
		}
		if o.Corrector == sde.AnnealedLangevinCorrector {
			r.Corr, err = affine(func(x, sc, z []float64) error {
				_, err := sde.CorrectorStep(o.Corrector, s, x, make([]float64, 1), sc, z, 1, t, o.SNR)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		rows[i] = r
	}
	return rows, nil
}

// NewPC prepares a predictor-corrector sampler of b points of dimension d.
func NewPC(lib *kernels.Lib, s sde.SDE, score Score, b, d int, o PCOptions, seed uint64) (*PCSampler, error) {
	if o.Corrector != sde.CorrectorNone && o.NStepsEach < 1 {
		return nil, fmt.Errorf("sampling: corrector %v needs n_steps_each >= 1", o.Corrector)
	}
	if o.Predictor == sde.PredictorNone && o.Corrector == sde.CorrectorNone {
		return nil, fmt.Errorf("sampling: neither a predictor nor a corrector")
	}
	if o.Denoise && o.Predictor == sde.PredictorNone {
		return nil, fmt.Errorf("sampling: denoising takes the last predictor's mean; set a predictor")
	}
	if err := sde.CheckDiscreteChain(s, o.PCOptions); err != nil {
		return nil, fmt.Errorf("sampling: %w", err)
	}
	rows, err := PCRows(s, o.PCOptions)
	if err != nil {
		return nil, err
	}
	smp, err := newSampler(lib, score, b, d, rows, s.PriorStd(), seed)
	if err != nil {
		return nil, err
	}
	if o.Corrector == sde.LangevinCorrector {
		if smp.norms, err = newScoreNorms(lib.Dev, b, d); err != nil {
			smp.Close()
			return nil, err
		}
	}
	if o.Chunk <= 0 {
		o.Chunk = 50
	}
	return &PCSampler{Sampler: smp, opts: o}, nil
}

// PCSampler is the predictor-corrector sampler (and, with no corrector,
// Euler-Maruyama, reverse diffusion or ancestral sampling).
type PCSampler struct {
	*Sampler
	opts PCOptions
	// record, when set, records n steps in place of the PC loop, each one
	// score evaluation (the few-step plans of NewPlan).
	record func(seq *vk.Sequence, n int) error
	// known, when set, makes the run inpaint (SetKnown).
	known *known
}

// SetOnChunk sets the callback run after each chunk of steps.
func (p *PCSampler) SetOnChunk(f func(done int) error) { p.opts.OnChunk = f }

// NFE is the number of score evaluations of a full run.
func (p *PCSampler) NFE() int {
	if p.record != nil {
		return p.Sched.Rows
	}
	per := 0
	if p.opts.Predictor != sde.PredictorNone {
		per++
	}
	if p.opts.Corrector != sde.CorrectorNone {
		per += p.opts.NStepsEach
	}
	return p.Sched.Rows * per
}

// recordSteps records n steps of the loop.
func (p *PCSampler) recordSteps(seq *vk.Sequence, n int) error {
	if p.record != nil {
		return p.record(seq, n)
	}
	lib, x, size := p.Lib, p.X, p.B*p.D
	for i := 0; i < n; i++ {
		if p.opts.Corrector != sde.CorrectorNone {
			for k := 0; k < p.opts.NStepsEach; k++ {
				sc, err := p.score.Record(seq)
				if err != nil {
					return err
				}
				stream := rng.StreamCorrector + uint32(k)
				if p.opts.Corrector == sde.LangevinCorrector {
					err = recordLangevinSNR(lib, seq, p.Sched, p.norms, x, sc, p.B, p.D, p.opts.SNR, stream, p.opts.PerSampleSNR)
				} else {
					c := kernels.Coef{Buf: p.Sched.Coef, Col: colCorr, Stride: Stride}
					err = lib.LinComb(seq, x, size, c, p.Sched.State, kernels.NormalNoise, stream, x, sc)
				}
				if err != nil {
					return err
				}
				if err := p.recordReplace(seq, false, sde.StreamInpaint+1+uint32(k)); err != nil {
					return err
				}
			}
		}
		if p.opts.Predictor != sde.PredictorNone {
			sc, err := p.score.Record(seq)
			if err != nil {
				return err
			}
			c := kernels.Coef{Buf: p.Sched.Coef, Col: colPred, Stride: Stride}
			if err := lib.LinComb(seq, x, size, c, p.Sched.State, kernels.NormalNoise, rng.StreamPredictor, x, sc); err != nil {
				return err
			}
			if err := p.recordReplace(seq, false, sde.StreamInpaint); err != nil {
				return err
			}
		}
		if err := lib.Advance(seq, p.Sched.State); err != nil {
			return err
		}
	}
	return nil
}

// Run draws the prior and runs every step, Chunk steps per submit.
func (p *PCSampler) Run() (Result, error) {
	start := time.Now()
	var res Result
	if err := p.Sched.Reset(p.Seed); err != nil {
		return res, err
	}
	chunk := min(p.opts.Chunk, p.Sched.Rows)
	full, err := p.Lib.Dev.NewSequence(false)
	if err != nil {
		return res, err
	}
	defer full.Destroy()
	rec := time.Now()
	if err := full.Begin(); err != nil {
		return res, err
	}
	if err := p.recordSteps(full, chunk); err != nil {
		return res, err
	}
	if err := full.End(); err != nil {
		return res, err
	}
	res.RecordTime = time.Since(rec)
	// The prior draw and a final partial chunk are sequences of their own.
	prior := func(seq *vk.Sequence) error {
		if err := p.recordPrior(seq); err != nil {
			return err
		}
		return p.recordReplace(seq, true, sde.StreamInpaint)
	}
	if err := p.runOnce(prior, &res); err != nil {
		return res, err
	}
	done := 0
	for done+chunk <= p.Sched.Rows {
		if err := p.submit(full, &res); err != nil {
			return res, err
		}
		done += chunk
		if p.opts.OnChunk != nil {
			if err := p.opts.OnChunk(done); err != nil {
				return res, err
			}
		}
	}
	if rest := p.Sched.Rows - done; rest > 0 {
		if err := p.runOnce(func(seq *vk.Sequence) error { return p.recordSteps(seq, rest) }, &res); err != nil {
			return res, err
		}
		if p.opts.OnChunk != nil {
			if err := p.opts.OnChunk(p.Sched.Rows); err != nil {
				return res, err
			}
		}
	}
	if p.known != nil {
		if err := p.runOnce(func(seq *vk.Sequence) error { return p.recordReplace(seq, true, sde.StreamInpaint) }, &res); err != nil {
			return res, err
		}
	}
	if done > 0 {
		if res.Timings, err = full.Timings(); err != nil {
			return res, err
		}
		res.ChunkSteps = chunk
	}
	res.NFE, res.Steps, res.Duration = p.NFE(), p.Sched.Rows, time.Since(start)
	res.HostTime += res.RecordTime
	return res, nil
}

// submit runs seq, counting the host's share of the time.
func (s *Sampler) submit(seq *vk.Sequence, res *Result) error {
	start := time.Now()
	err := seq.SubmitAsync()
	res.HostTime += time.Since(start)
	if err != nil {
		return err
	}
	return seq.Wait()
}

// runOnce records a one-off sequence and submits it.
func (s *Sampler) runOnce(rec func(seq *vk.Sequence) error, res *Result) error {
	seq, err := s.Lib.Dev.NewSequence(false)
	if err != nil {
		return err
	}
	defer seq.Destroy()
	start := time.Now()
	if err := seq.Begin(); err != nil {
		return err
	}
	if err := rec(seq); err != nil {
		return err
	}
	if err := seq.End(); err != nil {
		return err
	}
	res.RecordTime += time.Since(start)
	return s.submit(seq, res)
}
