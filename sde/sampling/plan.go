package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// planSampler runs an sde.Plan: register 0 is the sampler's X (the score's
// input), the others are buffers of their own. Each stage is one row of the
// table (its time and marginal, for the score) and one block of the extra
// area, read at the same counter: the weights of every changing register's
// new value in (registers..., score, z, 1), read off the plan's Update
// (sde.Plan.Coefficients). A stage records the score, then each changing
// register j > 0 into a scratch buffer from the old values, then X in place,
// then copies the scratch buffers back, then advances the counter. All
// registers of a stage share one noise draw: same stream, same counter.
type planSampler struct {
	regs, next []*vk.Buffer // registers, and the scratch of those j > 0 that change (else nil)
	noisy      []bool       // whether register j ever takes noise
	width      int          // coefficients per register: Regs + 3
	// stride is one stage's share of the extra area, a whole number of
	// table rows: the counter indexes it.
	stride int
	n      int
}

// NewPlan prepares the few-step sampler of plan for b points of dimension
// d, starting from the prior of s.
func NewPlan(lib *kernels.Lib, s sde.SDE, score Score, b, d int, plan sde.Plan, chunk int, seed uint64) (*PCSampler, error) {
	if len(plan.Stages) == 0 || plan.Regs < 1 || plan.Regs+1 > kernels.MaxLinComb {
		return nil, fmt.Errorf("sampling: a plan of %d stages and %d registers", len(plan.Stages), plan.Regs)
	}
	ps := &planSampler{width: plan.Regs + 3, n: b * d}
	ps.stride = (plan.Regs*ps.width + Stride - 1) / Stride * Stride
	rows := make([]Row, len(plan.Stages))
	coef := make([][][]float64, len(plan.Stages))
	changes := make([]bool, plan.Regs)
	ps.noisy = make([]bool, plan.Regs)
	for k, st := range plan.Stages {
		rows[k] = Row{T: st.T, Mean: st.Mean, Std: st.Std}
		coef[k] = plan.Coefficients(k)
		for j, c := range coef[k] {
			for i, v := range c {
				if v != 0 && (i != j || v != 1) {
					changes[j] = true
				}
			}
			if c[plan.Regs+1] != 0 {
				ps.noisy[j] = true
			}
		}
	}
	extra := make([]float32, len(plan.Stages)*ps.stride)
	for k := range coef {
		for j, c := range coef[k] {
			at := ps.at(k, j)
			for i, v := range c {
				extra[at+i] = float32(v)
			}
		}
	}
	smp, err := newSamplerCap(lib, score, b, d, len(rows), len(extra), s.PriorStd(), seed)
	if err != nil {
		return nil, err
	}
	if err := smp.Sched.write(rows, extra); err != nil {
		smp.Close()
		return nil, err
	}
	for _, r := range rows {
		smp.Times = append(smp.Times, r.T)
	}
	zero := make([]float32, ps.n)
	ps.regs, ps.next = make([]*vk.Buffer, plan.Regs), make([]*vk.Buffer, plan.Regs)
	ps.regs[0] = smp.X
	for j := 1; j < plan.Regs; j++ {
		dsts := []**vk.Buffer{&ps.regs[j]}
		if changes[j] {
			dsts = append(dsts, &ps.next[j])
		}
		for _, dst := range dsts {
			if *dst, err = lib.Dev.NewBufferF32(ps.n); err == nil {
				err = (*dst).Upload(zero)
			}
			if err != nil {
				ps.close()
				smp.Close()
				return nil, err
			}
		}
	}
	if chunk <= 0 {
		chunk = 50
	}
	p := &PCSampler{Sampler: smp, opts: PCOptions{Chunk: chunk}}
	p.record = func(seq *vk.Sequence, n int) error { return ps.recordStages(p.Sampler, seq, n) }
	prevClose := smp.score
	smp.score = closeWith{prevClose, ps.close}
	return p, nil
}

// at is the offset of stage k's register j weights in the extra area.
func (ps *planSampler) at(k, j int) int { return k*ps.stride + j*ps.width }

func (ps *planSampler) close() {
	for j := 1; j < len(ps.regs); j++ {
		ps.regs[j].Free() // Free takes nil
		ps.next[j].Free()
	}
}

// recordStages records n stages.
func (ps *planSampler) recordStages(smp *Sampler, seq *vk.Sequence, n int) error {
	lib, st := smp.Lib, smp.Sched.State
	for i := 0; i < n; i++ {
		sc, err := smp.score.Record(seq)
		if err != nil {
			return err
		}
		vecs := append(append([]*vk.Buffer(nil), ps.regs...), sc)
		update := func(j int, dst *vk.Buffer) error {
			c := kernels.Coef{Buf: smp.Sched.Coef, Col: smp.Sched.extra + ps.at(0, j), Stride: ps.stride}
			noise := kernels.NoNoise
			if ps.noisy[j] {
				noise = kernels.NormalNoise
			}
			return lib.LinComb(seq, dst, ps.n, c, st, noise, rng.StreamPredictor, vecs...)
		}
		for j := 1; j < len(ps.regs); j++ {
			if ps.next[j] != nil {
				if err := update(j, ps.next[j]); err != nil {
					return err
				}
			}
		}
		if err := update(0, smp.X); err != nil {
			return err
		}
		for j := 1; j < len(ps.regs); j++ {
			if ps.next[j] != nil {
				seq.Copy(ps.regs[j], ps.next[j])
			}
		}
		if err := lib.Advance(seq, st); err != nil {
			return err
		}
	}
	return nil
}

// closeWith is a Score whose Close also frees the sampler's own buffers.
type closeWith struct {
	Score
	also func()
}

func (c closeWith) Close() {
	c.also()
	c.Score.Close()
}
