package sde

import "fmt"

// A Plan is a fixed-step sampler written as a list of stages, one per score
// evaluation. The sampler's state is Regs registers per element: register 0
// holds the point the score is evaluated at and, after the last stage, the
// sample; the others hold what a method carries between evaluations (the
// start of a step, earlier model outputs). Every stage evaluates the score
// on register 0 at its time T, then replaces all registers by an affine map
// of the old registers, the score and one standard normal draw, with scalar
// coefficients that depend on the stage only.
//
// Writing the few-step samplers this way lets the device read the map's
// coefficients off Update by evaluating it on unit inputs (as it does for
// PredictorStep), so each device update is its float64 reference.
type Plan struct {
	Regs   int
	Stages []Stage
}

// Stage is one score evaluation and the update that follows it.
type Stage struct {
	T float64
	// Mean and Std are the marginal's at T (what an oracle score is
	// evaluated with).
	Mean, Std float64
	// Update maps one element's registers in place, given the score s and
	// the noise z at that element. It must read every old value before it
	// writes (the map is simultaneous) and be affine in (reg, s, z).
	Update func(reg []float64, s, z float64)
}

// NFE is the plan's number of score evaluations.
func (p Plan) NFE() int { return len(p.Stages) }

// Step applies stage k to a batch: regs[j] holds register j of every
// element, score the score at regs[0] and z the stage's noise.
func (p Plan) Step(k int, regs [][]float64, score, z []float64) {
	r := make([]float64, p.Regs)
	up := p.Stages[k].Update
	for i := range regs[0] {
		for j := range r {
			r[j] = regs[j][i]
		}
		up(r, score[i], z[i])
		for j := range r {
			regs[j][i] = r[j]
		}
	}
}

// Run applies every stage in place on x (the start, usually a prior draw).
// It draws from normal once per stage, noisy or not, so the k-th draw is
// stage k's (the device keys its draws by stage the same way).
func (p Plan) Run(x []float64, score ScoreFunc, normal Normal) (nfe int, err error) {
	if p.Regs < 1 {
		return 0, fmt.Errorf("sde: a plan needs at least one register")
	}
	regs := make([][]float64, p.Regs)
	regs[0] = x
	for j := 1; j < p.Regs; j++ {
		regs[j] = make([]float64, len(x))
	}
	sc, z := make([]float64, len(x)), make([]float64, len(x))
	for k, st := range p.Stages {
		score(x, st.T, sc)
		normal(z)
		p.Step(k, regs, sc, z)
	}
	return len(p.Stages), nil
}

// Coefficients returns stage k's map as a matrix: row j gives new register
// j as weights of (old registers..., score, z, 1). It is read off Update on
// unit inputs.
func (p Plan) Coefficients(k int) [][]float64 {
	up := p.Stages[k].Update
	n := p.Regs + 2
	eval := func(in int) []float64 {
		r := make([]float64, p.Regs)
		var s, z float64
		switch {
		case in >= 0 && in < p.Regs:
			r[in] = 1
		case in == p.Regs:
			s = 1
		case in == p.Regs+1:
			z = 1
		}
		up(r, s, z)
		return r
	}
	base := eval(-1)
	out := make([][]float64, p.Regs)
	for j := range out {
		out[j] = make([]float64, n+1)
		out[j][n] = base[j]
	}
	for in := 0; in < n; in++ {
		v := eval(in)
		for j := range out {
			out[j][in] = v[j] - base[j]
		}
	}
	return out
}

// stage builds a Stage at time t of s.
func stage(s SDE, t float64, up func(reg []float64, sc, z float64)) Stage {
	m, std := s.Marginal(t)
	return Stage{T: t, Mean: m, Std: std, Update: up}
}
