package sampling

import (
	"fmt"
	"math"
	"time"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// DivScore is a Score that also gives the divergence of the score per point
// (exactly, or a Hutchinson estimate with fixed probes).
type DivScore interface {
	Score
	RecordDiv(seq *vk.Sequence) (score, div *vk.Buffer, err error)
}

// Batching bounds of odeVectors: commands are recorded until a norm must be
// read back, or these fill up.
const (
	odeMaxEvals  = 64
	odeCombWidth = MaxCombine + 2
	odeMaxComb   = 128
	// MaxCombine is the most vectors one RK combination takes (the base and
	// seven stages).
	MaxCombine = kernels.MaxLinComb
)

// odeVectors is sde.RKVectors on device buffers: the probability-flow ODE
// of s with the score model bound to smp.X, optionally augmented with the
// divergence integral of the likelihood. Vector arithmetic is recorded into
// one sequence and submitted only when a norm is read back, so an RK45 step
// costs one submit and one scalar readback.
type odeVectors struct {
	lib   *kernels.Lib
	smp   *Sampler
	s     sde.SDE
	n     int // x values (b*d)
	logp  int // offset (values) of the log-density part, 0 without it
	total int // values per slot, padding included
	count int // values the error norm averages over
	slots [sde.RKSlots]*vk.Buffer
	logps [sde.RKSlots]*vk.Buffer // views of the slots' log-density parts
	sq    *vk.Buffer              // scaled error terms
	ss    *vk.Buffer              // their sum of squares

	seq   *vk.Sequence
	open  bool
	rows  []Row
	extra []float32
}

func newODEVectors(lib *kernels.Lib, smp *Sampler, s sde.SDE, likelihood bool) (*odeVectors, error) {
	v := &odeVectors{lib: lib, smp: smp, s: s, n: smp.B * smp.D}
	v.total, v.count = v.n, v.n
	if likelihood {
		align := int(lib.Dev.ViewAlign() / 4)
		v.logp = (v.n + align - 1) / align * align
		v.total, v.count = v.logp+smp.B, v.n+smp.B
	}
	var err error
	for i := range v.slots {
		if v.slots[i], err = lib.Dev.NewBufferF32(v.total); err != nil {
			v.close()
			return nil, err
		}
	}
	for i := range v.logps {
		if v.logp > 0 {
			if v.logps[i], err = v.slots[i].View(uint64(4*v.logp), uint64(4*smp.B)); err != nil {
				v.close()
				return nil, err
			}
		}
	}
	if v.sq, err = lib.Dev.NewBufferF32(v.total); err != nil {
		v.close()
		return nil, err
	}
	if v.ss, err = lib.Dev.NewBufferF32(1); err != nil {
		v.close()
		return nil, err
	}
	if v.seq, err = lib.Dev.NewSequence(false); err != nil {
		v.close()
		return nil, err
	}
	// Padding must hold zeros: combinations keep them zero.
	zero := make([]float32, v.total)
	for _, b := range v.slots {
		if err := b.Upload(zero); err != nil {
			v.close()
			return nil, err
		}
	}
	return v, nil
}

func (v *odeVectors) close() {
	if v.seq != nil {
		v.seq.Destroy()
	}
	for _, b := range v.slots {
		b.Free()
	}
	v.sq.Free()
	v.ss.Free()
}

func (v *odeVectors) begin() error {
	if v.open {
		return nil
	}
	if err := v.seq.Begin(); err != nil {
		return err
	}
	v.open, v.rows, v.extra = true, v.rows[:0], v.extra[:0]
	return nil
}

// flush uploads the rows and coefficients of the recorded commands and runs them.
func (v *odeVectors) flush() error {
	if !v.open {
		return nil
	}
	v.open = false
	if err := v.seq.End(); err != nil {
		return err
	}
	if err := v.smp.Sched.write(v.rows, v.extra); err != nil {
		return err
	}
	if err := v.smp.Sched.Reset(v.smp.Seed); err != nil {
		return err
	}
	return v.seq.Submit()
}

// room flushes when the batch cannot take another evaluation or combination.
func (v *odeVectors) room() error {
	if len(v.rows) >= odeMaxEvals || len(v.extra)+odeCombWidth > odeMaxComb*odeCombWidth {
		if err := v.flush(); err != nil {
			return err
		}
	}
	return v.begin()
}

// Eval records dst = f(t, y): the probability-flow drift a(t) x - g(t)^2 s / 2,
// and with the likelihood part d logp/dt = a(t) D - g(t)^2 div s / 2.
func (v *odeVectors) Eval(t float64, y, dst int) error {
	if err := v.room(); err != nil {
		return err
	}
	m, std := v.s.Marginal(t)
	a, g := v.s.DriftCoef(t), v.s.Diffusion(t)
	row := Row{T: t, Mean: m, Std: std,
		Pred: [4]float64{a, -0.5 * g * g, 0, 0},
		Corr: [4]float64{-0.5 * g * g, 0, a * float64(v.smp.D), 0}}
	v.rows = append(v.rows, row)
	seq, x := v.seq, v.smp.X
	if err := seq.CopyRegion(x, 0, v.slots[y], 0, uint64(4*v.n)); err != nil {
		return err
	}
	var sc, div *vk.Buffer
	var err error
	if v.logp > 0 {
		ds, ok := v.smp.score.(DivScore)
		if !ok {
			return fmt.Errorf("sampling: the likelihood needs a score model with a divergence")
		}
		sc, div, err = ds.RecordDiv(seq)
	} else {
		sc, err = v.smp.score.Record(seq)
	}
	if err != nil {
		return err
	}
	st := v.smp.Sched.State
	out := v.slots[dst]
	pred := kernels.Coef{Buf: v.smp.Sched.Coef, Col: colPred, Stride: Stride}
	if err := v.lib.LinComb(seq, out, v.n, pred, st, kernels.NoNoise, 0, x, sc); err != nil {
		return err
	}
	if v.logp > 0 {
		corr := kernels.Coef{Buf: v.smp.Sched.Coef, Col: colCorr, Stride: Stride}
		if err := v.lib.LinComb(seq, v.logps[dst], v.smp.B, corr, st, kernels.NoNoise, 0, div); err != nil {
			return err
		}
	}
	return v.lib.Advance(seq, st)
}

// Combine records v[dst] = v[base] + h sum_j c[j] v[src[j]].
func (v *odeVectors) Combine(dst, base int, h float64, c []float64, src []int) error {
	if err := v.room(); err != nil {
		return err
	}
	var coef []float32
	var vecs []*vk.Buffer
	if base >= 0 {
		coef, vecs = append(coef, 1), append(vecs, v.slots[base])
	}
	for j, k := range src {
		if c[j] != 0 {
			coef, vecs = append(coef, float32(h*c[j])), append(vecs, v.slots[k])
		}
	}
	if len(vecs) > MaxCombine {
		return fmt.Errorf("sampling: a combination of %d vectors", len(vecs))
	}
	at := v.smp.Sched.extra + len(v.extra)
	v.extra = append(append(v.extra, coef...), 0, 0)
	return v.lib.LinComb(v.seq, v.slots[dst], v.total, kernels.Coef{Buf: v.smp.Sched.Coef, Col: at}, v.smp.Sched.State, kernels.NoNoise, 0, vecs...)
}

// WeightedRMS runs the recorded commands and the error norm, and reads it back.
func (v *odeVectors) WeightedRMS(e, a, b int, rtol, atol float64) (float64, error) {
	if err := v.room(); err != nil {
		return 0, err
	}
	if err := v.lib.RKScaled(v.seq, v.slots[e], v.slots[a], v.slots[b], v.sq, v.total, float32(rtol), float32(atol)); err != nil {
		return 0, err
	}
	scratch, err := v.lib.ReduceScratch()
	if err != nil {
		return 0, err
	}
	if err := v.lib.ReduceAll(v.seq, kernels.ReduceSumSq, v.sq, v.ss, scratch, v.total, 1); err != nil {
		return 0, err
	}
	if err := v.flush(); err != nil {
		return 0, err
	}
	out := make([]float32, 1)
	if err := v.ss.Download(out); err != nil {
		return 0, err
	}
	return math.Sqrt(float64(out[0]) / float64(v.count)), nil
}

// Copy records v[dst] = v[src].
func (v *odeVectors) Copy(dst, src int) error {
	if err := v.room(); err != nil {
		return err
	}
	v.seq.Copy(v.slots[dst], v.slots[src])
	return nil
}

// ODEResult describes an ODE solve.
type ODEResult struct {
	Result
	Stats sde.ODEStats
}

// fixedStep integrates with explicit Euler or Heun along ts, as
// sde.FixedStep does, from the state in slot RKY.
func fixedStep(v *odeVectors, m sde.ODEMethod, ts []float64) (sde.ODEStats, error) {
	var st sde.ODEStats
	k1, k2 := sde.RKK0, sde.RKK0+1
	for i := 0; i+1 < len(ts); i++ {
		t, h := ts[i], ts[i+1]-ts[i]
		if err := v.Eval(t, sde.RKY, k1); err != nil {
			return st, err
		}
		st.NFE++
		if m == sde.Euler {
			if err := v.Combine(sde.RKY, sde.RKY, h, []float64{1}, []int{k1}); err != nil {
				return st, err
			}
		} else {
			if err := v.Combine(sde.RKTmp, sde.RKY, h, []float64{1}, []int{k1}); err != nil {
				return st, err
			}
			if err := v.Eval(t+h, sde.RKTmp, k2); err != nil {
				return st, err
			}
			st.NFE++
			if err := v.Combine(sde.RKY, sde.RKY, h, []float64{0.5, 0.5}, []int{k1, k2}); err != nil {
				return st, err
			}
		}
		st.Steps++
	}
	return st, nil
}

// denoise records sde.ODESample's final noise-free reverse-diffusion step at
// t: x - (f_i - G_i^2 s(x, t)), affine in (x, s).
func (v *odeVectors) denoise(t float64) error {
	if err := v.room(); err != nil {
		return err
	}
	c, err := affine(func(x, sc, z []float64) error {
		return sde.PredictorStep(sde.ReverseDiffusionPredictor, v.s, x, make([]float64, 1), sc, z, t, 0, false)
	})
	if err != nil {
		return err
	}
	c[2] = 0
	m, std := v.s.Marginal(t)
	v.rows = append(v.rows, Row{T: t, Mean: m, Std: std, Pred: c})
	seq, x := v.seq, v.smp.X
	if err := seq.CopyRegion(x, 0, v.slots[sde.RKY], 0, uint64(4*v.n)); err != nil {
		return err
	}
	sc, err := v.smp.score.Record(seq)
	if err != nil {
		return err
	}
	pred := kernels.Coef{Buf: v.smp.Sched.Coef, Col: colPred, Stride: Stride}
	if err := v.lib.LinComb(seq, v.slots[sde.RKY], v.n, pred, v.smp.Sched.State, kernels.NoNoise, 0, x, sc); err != nil {
		return err
	}
	return v.lib.Advance(seq, v.smp.Sched.State)
}

// ODESample integrates the probability-flow ODE from the prior at T to eps
// on the device: with RK45 (rtol, atol), whose step control is sde's, so the
// NFE equals the reference solver's on the same problem, or with o.Steps
// fixed Euler or Heun steps; then, with o.Denoise, one noise-free
// reverse-diffusion step, as sde.ODESample.
func ODESample(lib *kernels.Lib, s sde.SDE, score Score, b, d int, o sde.ODEOptions, seed uint64) ([]float32, ODEResult, error) {
	return odeSample(lib, s, score, b, d, o, seed, 0)
}

// odeSample is ODESample of a batch that holds points first.. of a run
// (Sampler.SetFirst).
func odeSample(lib *kernels.Lib, s sde.SDE, score Score, b, d int, o sde.ODEOptions, seed uint64, first int) ([]float32, ODEResult, error) {
	var res ODEResult
	start := time.Now()
	if o.Method != sde.RK45 && o.Steps < 1 {
		return nil, res, fmt.Errorf("sampling: %v needs steps >= 1, got %d", o.Method, o.Steps)
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	smp, err := newSamplerCap(lib, score, b, d, odeMaxEvals, odeMaxComb*odeCombWidth, s.PriorStd(), seed)
	if err != nil {
		return nil, res, err
	}
	defer smp.Close()
	if err := smp.SetFirst(first); err != nil {
		return nil, res, err
	}
	v, err := newODEVectors(lib, smp, s, false)
	if err != nil {
		return nil, res, err
	}
	defer v.close()
	// The prior draw goes into the bound input, then into the state slot.
	if err := smp.runOnce(func(seq *vk.Sequence) error {
		if err := smp.recordPrior(seq); err != nil {
			return err
		}
		seq.Copy(v.slots[sde.RKY], smp.X)
		return nil
	}, &res.Result); err != nil {
		return nil, res, err
	}
	var st sde.ODEStats
	switch o.Method {
	case sde.RK45:
		st, err = sde.SolveRK45On(v, s.T(), eps, sde.RK45Options{RTol: o.RTol, ATol: o.ATol})
	case sde.Euler, sde.Heun:
		st, err = fixedStep(v, o.Method, sde.Linspace(s.T(), eps, o.Steps+1))
	default:
		err = fmt.Errorf("sampling: unknown ODE method %v", o.Method)
	}
	if err != nil {
		return nil, res, err
	}
	if o.Denoise {
		if err := v.denoise(eps); err != nil {
			return nil, res, err
		}
		st.NFE++
	}
	if err := v.flush(); err != nil {
		return nil, res, err
	}
	out := make([]float32, b*d)
	if err := v.slots[sde.RKY].Download(out); err != nil {
		return nil, res, err
	}
	res.Stats, res.NFE, res.Steps, res.Duration = st, st.NFE, st.Steps, time.Since(start)
	return out, res, nil
}

// newSamplerCap is a sampler with a table of maxRows rows and extra values
// for its owner to write (the ODE solvers rewrite it as they go).
func newSamplerCap(lib *kernels.Lib, score Score, b, d, maxRows, extra int, priorStd float64, seed uint64) (*Sampler, error) {
	s := &Sampler{Lib: lib, B: b, D: d, score: score, Seed: seed}
	var err error
	if s.X, err = lib.Dev.NewBufferF32(b * d); err != nil {
		return nil, err
	}
	if s.Sched, err = newSchedule(lib.Dev, maxRows, extra, priorStd, seed); err != nil {
		s.X.Free()
		return nil, err
	}
	if err := score.Bind(s.X, b, d, s.Sched); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
