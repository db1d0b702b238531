package sde

import (
	"fmt"
	"math"
	"strings"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/rng"
)

// Training objectives as graph builders. Each takes the data batch x0
// [B, D] (a graph Input), draws its own random numbers as graph random nodes
// (RandUniform for t or the noise level, RandNormal for the perturbation,
// RandRademacher / RandNormal for projections, each on its own stream, see
// rng.StreamLoss*), so that a device runs a whole training step from the run's
// Seed and Step, and returns a scalar loss node. The loss is built from
// differentiable ops only, including the score's own input derivatives for
// the exact and sliced objectives, so graph.Grad(loss, params...) gives the
// training gradient (a gradient of a gradient for exact / ssm / ssm_vr).
//
// Conventions (yang-song/score_sde losses.py, ermongroup/sliced_score_matching):
//
//   - dsm: t ~ U(eps, T), x_t = mean x0 + std z. Per sample
//     reduce((s std + z)^2), or with likelihood_weighting
//     reduce((s + z/std)^2) g(t)^2, where reduce is the mean over the D
//     dimensions (reduce_mean) or half their sum. The loss is the batch mean.
//   - smld (VE only): a level i uniform in {0..N-1} per sample, sigma_i from
//     the SDE's geometric ladder, x = x0 + sigma_i z;
//     reduce((s - (-z/sigma_i))^2) sigma_i^2 (computed as reduce((s sigma_i + z)^2)).
//     The network sees t_i = i/(N-1), at which the VE sigma(t_i) = sigma_i.
//   - ddpm (VP only): level i as above, x = sqrt(abar_i) x0 + sqrt(1-abar_i) z
//     with abar the cumulative product of the discrete alphas;
//     reduce((eps_hat - z)^2), eps_hat the model's noise prediction
//     (GraphNoise when the model has it, else -s sqrt(1-abar_i)).
//   - exact, ssm, ssm_vr: score matching on the perturbed data x_t (t and
//     x_t drawn as for dsm, so the model learns the scores of all p_t):
//     exact J = tr(ds/dx) + ||s||^2/2, ssm J = mean_v [v^T (ds/dx) v + (v^T s)^2/2],
//     ssm_vr J = mean_v [v^T (ds/dx) v] + ||s||^2/2, over n_particles
//     projections v per sample. Per sample J std^2 (or J g^2 with
//     likelihood_weighting), times 2/D with reduce_mean. With these weights
//     each objective equals dsm with the same flags up to a constant that
//     does not depend on the model (in expectation), so losses and learning
//     rates are comparable across objectives.
//
// The model's input Jacobian is taken per row: a model must not mix the
// points of a batch (no batch normalisation).

// GraphScore builds a score estimate s(x, t) [B, D] for x [B, D] and t [B]
// as nodes of g. model.ScoreNet satisfies it.
type GraphScore interface {
	Build(g *graph.Graph, x, t *graph.Node) *graph.Node
}

// GraphScoreFunc adapts a function to GraphScore.
type GraphScoreFunc func(g *graph.Graph, x, t *graph.Node) *graph.Node

// Build calls f.
func (f GraphScoreFunc) Build(g *graph.Graph, x, t *graph.Node) *graph.Node { return f(g, x, t) }

// GraphNoise is implemented by models that predict the noise z of
// x = mean x0 + std z directly (VP parameterisation: score = -net/std); the
// ddpm loss uses it so that the discrete DDPM loss is exactly score_sde's
// epsilon MSE on the raw network output.
type GraphNoise interface {
	BuildNoise(g *graph.Graph, x, t *graph.Node) *graph.Node
}

// Loss kinds (the values of training.loss).
const (
	LossDSM   = "dsm"
	LossSMLD  = "smld"
	LossDDPM  = "ddpm"
	LossSSM   = "ssm"
	LossSSMVR = "ssm_vr"
	LossExact = "exact"
)

// LossNames lists the accepted values of LossConfig.Loss.
var LossNames = []string{LossDSM, LossSMLD, LossDDPM, LossSSM, LossSSMVR, LossExact}

// Projection kinds for ssm and ssm_vr.
const (
	ProjRademacher = "rademacher"
	ProjGaussian   = "gaussian"
	ProjSphere     = "sphere" // uniform on the sphere of radius sqrt(D)
)

// LossConfig mirrors the training config keys of the objective.
type LossConfig struct {
	// Loss is training.loss: dsm | smld | ddpm | ssm | ssm_vr | exact
	// ("" means dsm).
	Loss string
	// ReduceMean averages over the data dimensions instead of halving their
	// sum (training.reduce_mean).
	ReduceMean bool
	// LikelihoodWeighting weights by g(t)^2 instead of std(t)^2
	// (training.likelihood_weighting); not for smld / ddpm.
	LikelihoodWeighting bool
	// NParticles is the number of projections per sample for ssm / ssm_vr
	// (training.n_particles; 0 means 1).
	NParticles int
	// Projection is rademacher (default), gaussian or sphere.
	Projection string
	// Eps is the smallest t drawn (training.eps; 0 means TrainEps).
	Eps float64
	// StreamOffset is added to the rng.StreamLoss* streams.
	StreamOffset uint32
}

// DefaultLossConfig is score_sde's continuous default: dsm, sum reduction,
// std^2 weighting, eps 1e-5.
func DefaultLossConfig() LossConfig {
	return LossConfig{Loss: LossDSM, NParticles: 1, Projection: ProjRademacher, Eps: TrainEps}
}

// normalized returns c with defaults filled in and names lower-cased.
func (c LossConfig) normalized() LossConfig {
	c.Loss = strings.ToLower(strings.TrimSpace(c.Loss))
	if c.Loss == "" {
		c.Loss = LossDSM
	}
	c.Projection = strings.ToLower(strings.TrimSpace(c.Projection))
	if c.Projection == "" {
		c.Projection = ProjRademacher
	}
	if c.NParticles == 0 {
		c.NParticles = 1
	}
	if c.Eps == 0 {
		c.Eps = TrainEps
	}
	return c
}

// Validate checks c on its own and against s (smld needs VE, ddpm needs VP).
// s may be nil to skip the SDE checks.
func (c LossConfig) Validate(s SDE) error {
	c = c.normalized()
	known := false
	for _, n := range LossNames {
		known = known || n == c.Loss
	}
	if !known {
		return fmt.Errorf("sde: training.loss %q unknown (want %s)", c.Loss, strings.Join(LossNames, ", "))
	}
	switch c.Projection {
	case ProjRademacher, ProjGaussian, ProjSphere:
	default:
		return fmt.Errorf("sde: projection %q unknown (want rademacher, gaussian or sphere)", c.Projection)
	}
	if c.NParticles < 1 {
		return fmt.Errorf("sde: n_particles = %d must be >= 1", c.NParticles)
	}
	if !(c.Eps > 0) || (s != nil && c.Eps >= s.T()) {
		return fmt.Errorf("sde: training eps = %g must be in (0, T)", c.Eps)
	}
	if c.LikelihoodWeighting && (c.Loss == LossSMLD || c.Loss == LossDDPM) {
		return fmt.Errorf("sde: likelihood_weighting is not supported by the discrete %s loss", c.Loss)
	}
	if s != nil {
		if _, ok := s.(*VE); c.Loss == LossSMLD && !ok {
			return fmt.Errorf("sde: the smld loss needs a VE SDE, not %v", s.Kind())
		}
		if _, ok := s.(*VP); c.Loss == LossDDPM && !ok {
			return fmt.Errorf("sde: the ddpm loss needs a VP SDE, not %v", s.Kind())
		}
	}
	return nil
}

// LossNodes are the nodes of a built objective. Draws not used by the
// objective are nil.
type LossNodes struct {
	// Loss is the scalar training loss, the batch mean of PerSample.
	Loss *graph.Node
	// PerSample is the weighted loss of each point, [B].
	PerSample *graph.Node
	// U is the uniform draw [B] behind T (dsm, exact, ssm) or the level.
	U *graph.Node
	// T holds the times given to the model, [B].
	T *graph.Node
	// Level is the one-hot noise level [B, N] of smld and ddpm.
	Level *graph.Node
	// Z is the perturbation noise [B, D].
	Z *graph.Node
	// V holds the projections [P, B, D] of ssm and ssm_vr (after sphere
	// scaling).
	V *graph.Node
	// Xt is the perturbed data [B, D].
	Xt *graph.Node
	// Score is the model's output: [B, D], or [K*B, D] for exact (K = D)
	// and ssm / ssm_vr (K = P), where the perturbed batch is repeated K
	// times.
	Score *graph.Node
}

// BuildLoss builds the objective c.Loss for the model net on the batch x0
// [B, D] (see the conventions above).
func BuildLoss(s SDE, net GraphScore, x0 *graph.Node, c LossConfig) (*LossNodes, error) {
	if err := c.Validate(s); err != nil {
		return nil, err
	}
	c = c.normalized()
	switch c.Loss {
	case LossSMLD:
		return SMLDLoss(s, net, x0, c)
	case LossDDPM:
		return DDPMLoss(s, net, x0, c)
	case LossExact:
		return ExactSMLoss(s, net, x0, c)
	case LossSSM, LossSSMVR:
		return SlicedSMLoss(s, net, x0, c)
	}
	return DSMLoss(s, net, x0, c)
}

// batchDims checks that x0 is [B, D].
func batchDims(x0 *graph.Node) (b, d int, err error) {
	if x0 == nil {
		return 0, 0, fmt.Errorf("sde: loss: nil data node")
	}
	if err := x0.Graph().Err(); err != nil {
		return 0, 0, err
	}
	if sh := x0.Shape(); len(sh) != 2 {
		return 0, 0, fmt.Errorf("sde: loss: data %v must be [B, D]", x0)
	}
	return x0.Shape()[0], x0.Shape()[1], nil
}

// finish checks the graph and the model output and fills Loss.
func finish(ln *LossNodes, want graph.Shape) (*LossNodes, error) {
	g := ln.PerSample.Graph()
	if err := g.Err(); err != nil {
		return nil, err
	}
	if !ln.Score.Shape().Equal(want) {
		return nil, fmt.Errorf("sde: loss: the score model returned %v, want shape %v", ln.Score, want)
	}
	ln.Loss = graph.Mean(ln.PerSample)
	return ln, g.Err()
}

// reduceRows reduces r [B, D] over D: the mean, or half the sum.
func reduceRows(r *graph.Node, mean bool) *graph.Node {
	if mean {
		return graph.ReduceMean(r, []int{1}, false)
	}
	return graph.Scale(graph.ReduceSum(r, []int{1}, false), 0.5)
}

// column reshapes a [B] node to [B, 1] for broadcasting against [B, D].
func column(v *graph.Node) *graph.Node { return graph.Reshape(v, v.Shape()[0], 1) }

// perturb draws t ~ U(eps, T) and x_t = mean(t) x0 + std(t) z.
func perturb(s SDE, x0 *graph.Node, c LossConfig) (ln *LossNodes, std *graph.Node) {
	g := x0.Graph()
	b, d := x0.Shape()[0], x0.Shape()[1]
	ln = &LossNodes{}
	ln.U = g.RandUniform(rng.StreamLossTime+c.StreamOffset, b)
	ln.T = graph.Affine(ln.U, s.T()-c.Eps, c.Eps)
	mean, std := MarginalNodes(s, ln.T)
	ln.Z = g.RandNormal(rng.StreamLossNoise+c.StreamOffset, b, d)
	noise := graph.Mul(column(std), ln.Z)
	if _, ve := s.(*VE); ve {
		ln.Xt = graph.Add(x0, noise)
	} else {
		ln.Xt = graph.Add(graph.Mul(column(mean), x0), noise)
	}
	return ln, std
}

// DSMLoss is continuous denoising score matching (c.Loss is ignored).
func DSMLoss(s SDE, net GraphScore, x0 *graph.Node, c LossConfig) (*LossNodes, error) {
	c = c.normalized()
	b, d, err := batchDims(x0)
	if err != nil {
		return nil, err
	}
	g := x0.Graph()
	ln, std := perturb(s, x0, c)
	ln.Score = net.Build(g, ln.Xt, ln.T)
	var r *graph.Node
	if c.LikelihoodWeighting {
		r = graph.Add(ln.Score, graph.Div(ln.Z, column(std)))
	} else {
		r = graph.Add(graph.Mul(ln.Score, column(std)), ln.Z)
	}
	ln.PerSample = reduceRows(graph.Square(r), c.ReduceMean)
	if c.LikelihoodWeighting {
		ln.PerSample = graph.Mul(ln.PerSample, DiffusionSqNodes(s, ln.T))
	}
	return finish(ln, graph.Shape{b, d})
}

// levelOneHot turns uniforms u [B] in (0, 1) into one-hot rows [B, n] of the
// level ceil(u n) - 1, as Step(u n - j) - Step(u n - j - 1): the rows sum to
// one even when u n rounds to an integer.
func levelOneHot(u *graph.Node, n int) *graph.Node {
	g := u.Graph()
	j0 := make([]float64, n)
	j1 := make([]float64, n)
	for j := range j0 {
		j0[j], j1[j] = float64(j), float64(j+1)
	}
	un := column(graph.Scale(u, float64(n)))
	return graph.Sub(graph.Step(graph.Sub(un, g.Const(j0, 1, n))), graph.Step(graph.Sub(un, g.Const(j1, 1, n))))
}

// discreteLevels draws a level per sample and looks up the columns of table
// ([N][k] values) for it: it returns the one-hot [B, N] and the looked-up
// columns, each [B, 1].
func discreteLevels(x0 *graph.Node, table [][]float64, c LossConfig) (u, onehot *graph.Node, cols []*graph.Node) {
	g := x0.Graph()
	b, n, k := x0.Shape()[0], len(table), len(table[0])
	flat := make([]float64, 0, n*k)
	for _, row := range table {
		flat = append(flat, row...)
	}
	u = g.RandUniform(rng.StreamLossTime+c.StreamOffset, b)
	onehot = levelOneHot(u, n)
	vals := graph.MatMul(onehot, g.Const(flat, n, k))
	for j := range k {
		cols = append(cols, graph.SliceAxis(vals, 1, j, j+1))
	}
	return u, onehot, cols
}

// levelTime is the continuous time t_i = i/(N-1) of discrete level i.
func levelTime(i, n int) float64 { return float64(i) / float64(n-1) }

// SMLDLoss is the discrete NCSN loss on the VE SDE's sigma ladder.
func SMLDLoss(s SDE, net GraphScore, x0 *graph.Node, c LossConfig) (*LossNodes, error) {
	c = c.normalized()
	b, d, err := batchDims(x0)
	if err != nil {
		return nil, err
	}
	ve, ok := s.(*VE)
	if !ok {
		return nil, fmt.Errorf("sde: the smld loss needs a VE SDE, not %v", s.Kind())
	}
	g := x0.Graph()
	sig := ve.DiscreteSigmas()
	table := make([][]float64, len(sig))
	for i, v := range sig {
		table[i] = []float64{levelTime(i, len(sig)), v}
	}
	ln := &LossNodes{}
	var cols []*graph.Node
	ln.U, ln.Level, cols = discreteLevels(x0, table, c)
	ln.T = graph.Reshape(cols[0], b)
	sigma := cols[1]
	ln.Z = g.RandNormal(rng.StreamLossNoise+c.StreamOffset, b, d)
	ln.Xt = graph.Add(x0, graph.Mul(sigma, ln.Z))
	ln.Score = net.Build(g, ln.Xt, ln.T)
	// (s - (-z sigma / sigma^2))^2 sigma^2 = (s sigma + z)^2
	ln.PerSample = reduceRows(graph.Square(graph.Add(graph.Mul(ln.Score, sigma), ln.Z)), c.ReduceMean)
	return finish(ln, graph.Shape{b, d})
}

// DDPMLoss is the discrete DDPM epsilon-prediction loss on the VP SDE's
// discrete betas.
func DDPMLoss(s SDE, net GraphScore, x0 *graph.Node, c LossConfig) (*LossNodes, error) {
	c = c.normalized()
	b, d, err := batchDims(x0)
	if err != nil {
		return nil, err
	}
	vp, ok := s.(*VP)
	if !ok {
		return nil, fmt.Errorf("sde: the ddpm loss needs a VP SDE, not %v", s.Kind())
	}
	if err := vp.DiscreteChainErr(); err != nil {
		return nil, fmt.Errorf("the ddpm loss: %w", err)
	}
	g := x0.Graph()
	table := DDPMTable(vp)
	ln := &LossNodes{}
	var cols []*graph.Node
	ln.U, ln.Level, cols = discreteLevels(x0, table, c)
	ln.T = graph.Reshape(cols[0], b)
	sab, s1mab := cols[1], cols[2]
	ln.Z = g.RandNormal(rng.StreamLossNoise+c.StreamOffset, b, d)
	ln.Xt = graph.Add(graph.Mul(sab, x0), graph.Mul(s1mab, ln.Z))
	var eps *graph.Node
	if nn, ok := net.(GraphNoise); ok {
		eps = nn.BuildNoise(g, ln.Xt, ln.T)
		ln.Score = graph.Neg(graph.Div(eps, s1mab))
	} else {
		ln.Score = net.Build(g, ln.Xt, ln.T)
		eps = graph.Neg(graph.Mul(ln.Score, s1mab))
	}
	if !eps.Shape().Equal(graph.Shape{b, d}) {
		return nil, fmt.Errorf("sde: ddpm loss: the noise model returned %v, want [%d %d]", eps, b, d)
	}
	ln.PerSample = reduceRows(graph.Square(graph.Sub(eps, ln.Z)), c.ReduceMean)
	return finish(ln, graph.Shape{b, d})
}

// DDPMTable returns, per discrete level i of vp, the row
// {t_i, sqrt(abar_i), sqrt(1 - abar_i)} with abar_i = prod_{j<=i} (1 - beta_j)
// (score_sde's sqrt_alphas_cumprod and sqrt_1m_alphas_cumprod).
func DDPMTable(vp *VP) [][]float64 {
	alphas := vp.DiscreteAlphas()
	n := len(alphas)
	rows := make([][]float64, n)
	abar := 1.0
	for i, a := range alphas {
		abar *= a
		rows[i] = []float64{levelTime(i, n), math.Sqrt(abar), math.Sqrt(1 - abar)}
	}
	return rows
}
