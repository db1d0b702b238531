package data

// Marginal is the part of an SDE the oracle needs: x_t | x_0 ~
// N(mean x_0, std^2 I). sde.SDE satisfies it.
type Marginal interface {
	Marginal(t float64) (mean, std float64)
}

// SigmaMarginal is the NCSN noise-level marginal: "t" is sigma itself,
// mean 1, std sigma. Use it for annealed Langevin's sigma-conditioned score.
type SigmaMarginal struct{}

// Marginal returns (1, sigma).
func (SigmaMarginal) Marginal(sigma float64) (float64, float64) { return 1, sigma }

// Oracle gives the exact score, its Jacobian-vector product, divergence and
// the log-density of the perturbed mixture p_t = sum_k w_k N(m(t) mu_k,
// m(t)^2 Sigma_k + std(t)^2 I), using the SDE's own marginal. Its method
// values have the signatures of sde.ScoreFunc, sde.DivFunc and sde.JVPFunc.
type Oracle struct {
	G *GMM
	M Marginal
}

// NewOracle binds g to the marginal m (an sde.SDE, or SigmaMarginal{}).
func NewOracle(g *GMM, m Marginal) Oracle { return Oracle{G: g, M: m} }

// Score writes grad_x log p_t(x) for the batch x.
func (o Oracle) Score(x []float64, t float64, out []float64) {
	m, s := o.M.Marginal(t)
	o.G.ScoreAt(x, m, s, out)
}

// Div writes tr(d score / dx) per point.
func (o Oracle) Div(x []float64, t float64, out []float64) {
	m, s := o.M.Marginal(t)
	o.G.DivAt(x, m, s, out)
}

// JVP writes (d score / dx) v row by row.
func (o Oracle) JVP(x, v []float64, t float64, out []float64) {
	m, s := o.M.Marginal(t)
	o.G.JVPAt(x, v, m, s, out)
}

// LogProb writes log p_t(x) per point.
func (o Oracle) LogProb(x []float64, t float64, out []float64) {
	m, s := o.M.Marginal(t)
	o.G.LogProbAt(x, m, s, out)
}
