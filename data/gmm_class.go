package data

import "fmt"

// Class-conditional scores of the perturbed mixture, for the oracle
// classifier of controllable generation: a class is a component, and the
// noise-conditional classifier is the exact posterior over components
// p_t(k | x) = r_k (the responsibilities under the perturbed mixture). Since
// log p_t(k | x) = log w_k + log N_k(x) - log p_t(x),
//
//	grad_x log p_t(k | x) = u_k - score,
//
// with u_k = -C_k^{-1} (x - m mu_k) component k's own perturbed score. The
// guided score of score_sde's conditional sampler is then
//
//	score + scale (u_k - score),
//
// which at scale 1 is exactly component k's score.

// CheckClass says whether k names a component of g.
func (g *GMM) CheckClass(k int) error {
	if k < 0 || k >= len(g.comps) {
		return fmt.Errorf("class %d is out of range: the mixture has components 0..%d", k, len(g.comps)-1)
	}
	return nil
}

// ClassScoreAt writes score + scale (u_k - score) of the mixture perturbed
// by x -> m x + s z for each point of x (N*D values): the score guided
// towards component k by the exact noise-conditional classifier.
func (g *GMM) ClassScoreAt(x []float64, m, s float64, k int, scale float64, out []float64) {
	d, p := g.d, g.perturb(m, s)
	g.forEach(len(x)/d, func(i int, sc *scratch) {
		g.point(x[i*d:(i+1)*d], p, sc)
		row := out[i*d : (i+1)*d]
		g.scoreFromResp(sc, row)
		for j, u := range sc.u[k] {
			row[j] += scale * (u - row[j])
		}
	})
}

// PosteriorAt writes the posterior over components p_t(k | x) of the
// perturbed mixture for each point (N*K values).
func (g *GMM) PosteriorAt(x []float64, m, s float64, out []float64) {
	d, K, p := g.d, len(g.comps), g.perturb(m, s)
	g.forEach(len(x)/d, func(i int, sc *scratch) {
		g.point(x[i*d:(i+1)*d], p, sc)
		copy(out[i*K:(i+1)*K], sc.lw)
	})
}

// Component is component k alone, as a one-component mixture (the exact
// target of class-conditional sampling at scale 1).
func (g *GMM) Component(k int) *GMM {
	c := g.comps[k]
	c.w, c.logw = 1, 0
	return &GMM{d: g.d, comps: []gcomp{c}}
}

// ClassScore is the guided score of component k at the given scale under
// the oracle's marginal, with the signature of sde.ScoreFunc.
func (o Oracle) ClassScore(k int, scale float64) func(x []float64, t float64, out []float64) {
	return func(x []float64, t float64, out []float64) {
		m, s := o.M.Marginal(t)
		o.G.ClassScoreAt(x, m, s, k, scale, out)
	}
}
