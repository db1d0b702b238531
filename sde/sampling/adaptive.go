package sampling

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// AdaptiveResult describes a run of AdaptiveSample.
type AdaptiveResult struct {
	Result
	Stats sde.AdaptiveStats
}

// adaptiveRun holds the buffers and the recorded sequences of the adaptive
// SDE solver. The attempt is recorded once and replayed: the host writes its
// two rows (t and t - h) and the K coefficients, sets the noise counter to
// the attempt number, submits, and reads the error norm back; on
// acceptance a second recorded sequence moves the new point into y.
type adaptiveRun struct {
	smp                    *Sampler
	n                      int
	y, prev, k1, z, xn, e  *vk.Buffer
	sq, ss                 *vk.Buffer
	noise                  *vk.Buffer // Philox state of the draws: counter = attempt
	attempt, accept        *vk.Sequence
	kAt, addAt, newAt, eAt int // coefficient offsets in the extra area
}

// Extra-area layout: K1's and K2's weights of (x, s, z, noise, const), then
// the constant combinations x + K1, y + K1/2 + K2/2 and K2/2 - K1/2.
const adaptiveExtra = 2*5 + 4 + 5 + 4

// AdaptiveSample runs sde.AdaptiveSample on the device: the same attempts,
// step control and noise (the k-th attempt's z is Philox step k of
// rng.StreamPredictor), with the error norm computed on the device and read
// back once per attempt.
func AdaptiveSample(lib *kernels.Lib, s sde.SDE, score Score, b, d int, o sde.AdaptiveOptions, seed uint64) ([]float32, AdaptiveResult, error) {
	return adaptiveSample(lib, s, score, b, d, o, seed, 0)
}

// adaptiveSample is AdaptiveSample of a batch that holds points first.. of a
// run: its draws are those points' (Sampler.SetFirst), but its step sizes
// follow the batch's error norm.
func adaptiveSample(lib *kernels.Lib, s sde.SDE, score Score, b, d int, o sde.AdaptiveOptions, seed uint64, first int) ([]float32, AdaptiveResult, error) {
	var res AdaptiveResult
	start := time.Now()
	if !(o.RTol > 0) || !(o.ATol > 0) || !(o.HInit > 0) {
		return nil, res, fmt.Errorf("sampling: adaptive solver needs rtol, atol and h_init > 0 (got %g, %g, %g)", o.RTol, o.ATol, o.HInit)
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 100000
	}
	smp, err := newSamplerCap(lib, score, b, d, 2, adaptiveExtra, s.PriorStd(), seed)
	if err != nil {
		return nil, res, err
	}
	defer smp.Close()
	if err := smp.SetFirst(first); err != nil {
		return nil, res, err
	}
	r := &adaptiveRun{smp: smp, n: b * d}
	defer r.close()
	if err := r.alloc(lib.Dev); err != nil {
		return nil, res, err
	}
	if err := r.record(float32(o.RTol), float32(o.ATol)); err != nil {
		return nil, res, err
	}
	if err := smp.runOnce(func(seq *vk.Sequence) error {
		if err := smp.recordPrior(seq); err != nil {
			return err
		}
		seq.Copy(r.y, smp.X)
		seq.Copy(r.prev, smp.X)
		return nil
	}, &res.Result); err != nil {
		return nil, res, err
	}
	st := &res.Stats
	t, h := s.T(), o.HInit
	for t-eps > 1e-12*s.T() {
		if st.Accepted+st.Rejected >= maxAttempts {
			return nil, res, fmt.Errorf("sampling: adaptive solver: %d attempts reached t = %g of eps %g; loosen rtol / atol", maxAttempts, t, eps)
		}
		h = math.Min(h, t-eps)
		en, err := r.try(s, t, h, st.Accepted+st.Rejected, &res.Result)
		if err != nil {
			return nil, res, err
		}
		st.NFE += 2
		if en <= 1 {
			if err := smp.submit(r.accept, &res.Result); err != nil {
				return nil, res, err
			}
			t -= h
			st.Accepted++
		} else {
			st.Rejected++
		}
		h = sde.AdaptiveNextStep(h, en, t-eps)
	}
	if o.Denoise {
		if err := r.denoise(s, eps, &res.Result); err != nil {
			return nil, res, err
		}
		st.NFE++
	}
	out := make([]float32, r.n)
	if err := r.y.Download(out); err != nil {
		return nil, res, err
	}
	res.NFE, res.Steps, res.Duration = st.NFE, st.Accepted, time.Since(start)
	return out, res, nil
}

func (r *adaptiveRun) alloc(dev *vk.Device) error {
	var err error
	for _, p := range []**vk.Buffer{&r.y, &r.prev, &r.k1, &r.z, &r.xn, &r.e, &r.sq} {
		if *p, err = dev.NewBufferF32(r.n); err != nil {
			return err
		}
	}
	if r.ss, err = dev.NewBufferF32(1); err != nil {
		return err
	}
	if r.noise, err = dev.NewBufferF32(kernels.SDEStateWords); err != nil {
		return err
	}
	if r.attempt, err = dev.NewSequence(false); err != nil {
		return err
	}
	r.accept, err = dev.NewSequence(false)
	return err
}

func (r *adaptiveRun) close() {
	for _, b := range []*vk.Buffer{r.y, r.prev, r.k1, r.z, r.xn, r.e, r.sq, r.ss, r.noise} {
		b.Free()
	}
	for _, q := range []*vk.Sequence{r.attempt, r.accept} {
		if q != nil {
			q.Destroy()
		}
	}
}

// record records the attempt and the acceptance.
func (r *adaptiveRun) record(rtol, atol float32) error {
	smp, lib, n := r.smp, r.smp.Lib, r.n
	sched, st := smp.Sched, smp.Sched.State
	x := smp.X
	r.kAt, r.addAt = sched.extra, sched.extra+10
	r.newAt, r.eAt = r.addAt+4, r.addAt+9
	at := func(col int) kernels.Coef { return kernels.Coef{Buf: sched.Coef, Col: col} }
	seq := r.attempt
	if err := seq.Begin(); err != nil {
		return err
	}
	if err := lib.LinComb(seq, r.z, n, at(sched.unit), r.noise, kernels.NormalNoise, rng.StreamPredictor); err != nil {
		return err
	}
	seq.Copy(x, r.y)
	sc, err := smp.score.Record(seq)
	if err != nil {
		return err
	}
	// K1, then x_check = x + K1 into X, where the second score reads it.
	if err := lib.LinComb(seq, r.k1, n, at(r.kAt), st, kernels.NoNoise, 0, x, sc, r.z); err != nil {
		return err
	}
	if err := lib.LinComb(seq, x, n, at(r.addAt), st, kernels.NoNoise, 0, x, r.k1); err != nil {
		return err
	}
	if err := lib.Advance(seq, st); err != nil {
		return err
	}
	if sc, err = smp.score.Record(seq); err != nil {
		return err
	}
	// K2 into e, then x_new = y + (K1 + K2) / 2 and e = (K2 - K1) / 2.
	if err := lib.LinComb(seq, r.e, n, at(r.kAt+5), st, kernels.NoNoise, 0, x, sc, r.z); err != nil {
		return err
	}
	if err := lib.LinComb(seq, r.xn, n, at(r.newAt), st, kernels.NoNoise, 0, r.y, r.k1, r.e); err != nil {
		return err
	}
	if err := lib.LinComb(seq, r.e, n, at(r.eAt), st, kernels.NoNoise, 0, r.e, r.k1); err != nil {
		return err
	}
	scaled, err := scaledErrorProgram(rtol, atol)
	if err != nil {
		return err
	}
	if err := lib.Ewise(seq, scaled, n, []*vk.Buffer{r.e, r.prev, x}, []*vk.Buffer{r.sq}); err != nil {
		return err
	}
	scratch, err := lib.ReduceScratch()
	if err != nil {
		return err
	}
	if err := lib.ReduceAll(seq, kernels.ReduceSumSq, r.sq, r.ss, scratch, n, 1); err != nil {
		return err
	}
	if err := seq.End(); err != nil {
		return err
	}
	if err := r.accept.Begin(); err != nil {
		return err
	}
	r.accept.Copy(r.y, r.xn)
	r.accept.Copy(r.prev, x)
	return r.accept.End()
}

// scaledErrorProgram is the elementwise e / max(atol, rtol max(|prev|,
// |x|)) of sde.AdaptiveSample's error norm, over the inputs (e, prev, x).
func scaledErrorProgram(rtol, atol float32) (*kernels.EwiseProgram, error) {
	p := &kernels.EwiseProgram{}
	// Registers: 0 e, then the quotient; 1 rtol |prev|, then delta; 2 rtol |x|, then atol.
	err := errors.Join(
		p.Load(0, 0, 1, 0), p.Load(1, 1, 1, 0), p.Load(2, 2, 1, 0),
		p.Unary(1, kernels.Abs, 1, rtol, 0, 0), p.Unary(2, kernels.Abs, 2, rtol, 0, 0),
		p.Binary(1, kernels.Max, 1, 2), p.Const(2, atol), p.Binary(1, kernels.Max, 1, 2),
		p.Binary(0, kernels.Div, 0, 1), p.Store(0, 0))
	return p, err
}

// try runs attempt number k from t to t - h and returns its error norm.
func (r *adaptiveRun) try(s sde.SDE, t, h float64, k int, res *Result) (float64, error) {
	rows := make([]Row, 2)
	extra := make([]float32, adaptiveExtra)
	for i, tt := range []float64{t, t - h} {
		m, std := s.Marginal(tt)
		rows[i] = Row{T: tt, Mean: m, Std: std}
		c := sde.AdaptiveK(s, tt, h)
		copy(extra[5*i:], []float32{float32(c[0]), float32(c[1]), float32(c[2]), 0, 0})
	}
	copy(extra[10:], []float32{1, 1, 0, 0, 1, 0.5, 0.5, 0, 0, 0.5, -0.5, 0, 0})
	if err := r.smp.Sched.write(rows, extra); err != nil {
		return 0, err
	}
	if err := r.smp.Sched.Reset(r.smp.Seed); err != nil {
		return 0, err
	}
	seed := r.smp.Seed
	if err := r.noise.UploadU32(r.smp.Sched.stateWords(uint32(k), seed)); err != nil {
		return 0, err
	}
	if err := r.smp.submit(r.attempt, res); err != nil {
		return 0, err
	}
	out := make([]float32, 1)
	if err := r.ss.Download(out); err != nil {
		return 0, err
	}
	return math.Sqrt(float64(out[0]) / float64(r.n)), nil
}

// denoise runs sde.AdaptiveSample's final noise-free reverse-diffusion step
// at eps on y.
func (r *adaptiveRun) denoise(s sde.SDE, eps float64, res *Result) error {
	c, err := affine(func(x, sc, z []float64) error {
		return sde.PredictorStep(sde.ReverseDiffusionPredictor, s, x, make([]float64, 1), sc, z, eps, 0, false)
	})
	if err != nil {
		return err
	}
	c[2] = 0
	m, std := s.Marginal(eps)
	if err := r.smp.Sched.write([]Row{{T: eps, Mean: m, Std: std, Pred: c}}, nil); err != nil {
		return err
	}
	if err := r.smp.Sched.Reset(r.smp.Seed); err != nil {
		return err
	}
	smp := r.smp
	return smp.runOnce(func(seq *vk.Sequence) error {
		seq.Copy(smp.X, r.y)
		sc, err := smp.score.Record(seq)
		if err != nil {
			return err
		}
		pred := kernels.Coef{Buf: smp.Sched.Coef, Col: colPred, Stride: Stride}
		return smp.Lib.LinComb(seq, r.y, r.n, pred, smp.Sched.State, kernels.NoNoise, 0, smp.X, sc)
	}, res)
}
