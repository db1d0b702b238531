package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk/kernels"
)

// ScoreModel says where a request's score comes from: the analytic score of
// a Gaussian mixture (OracleModel) or a network with its weights (NetModel).
// Each backend turns it into its own evaluator.
type ScoreModel struct {
	// Name labels the score in messages: "oracle", a checkpoint's path.
	Name string
	// GMM is the mixture of an oracle; nil for a network.
	GMM *data.GMM
	// Net and Weights are a network and its parameter values (a checkpoint's
	// EMA weights), for data of dimension Dim.
	Net     model.ScoreNet
	Weights map[string][]float32
	Dim     int
	// Class, when set, guides the score towards a class: an oracle's
	// towards one mixture component with the exact noise-conditional
	// classifier (WithClass), or with classifier, a trained one; a
	// network's with the classifier built into Net (WithClassifier).
	Class      *ClassGuide
	classifier *oracleGuide
}

// OracleModel is the exact score of the mixture g under the SDE's marginals
// (and, for the Langevin samplers, under N(0, sigma^2 I) noise).
func OracleModel(g *data.GMM) ScoreModel { return ScoreModel{Name: "oracle", GMM: g} }

// NetModel is the score network net with the given weights, on d-dim data.
func NetModel(name string, net model.ScoreNet, weights map[string][]float32, d int) ScoreModel {
	return ScoreModel{Name: name, Net: net, Weights: weights, Dim: d}
}

// IsNet reports whether m is a network (not an oracle).
func (m ScoreModel) IsNet() bool { return m.Net != nil }

// Oracle is the analytic score, divergence and JVP of the mixture under s.
func (m ScoreModel) Oracle(s sde.SDE) data.Oracle { return data.NewOracle(m.GMM, s) }

// TimeScore is the time-conditioned score s(x, t) under s's marginals, on the
// host: the oracle, or the network run by the float64 reference executor.
func (m ScoreModel) TimeScore(s sde.SDE) sde.ScoreFunc {
	if m.IsNet() {
		return model.ReferenceScore(m.Net, m.Weights, m.Dim)
	}
	if m.classifier != nil {
		return m.classifier.timeScore(m.Oracle(s).Score, m.GMM.Dim())
	}
	if m.Class != nil {
		return m.Oracle(s).ClassScore(m.Class.K, m.Class.Scale)
	}
	return m.Oracle(s).Score
}

// sigmaScore is the oracle's noise-level-conditioned score s(x, sigma) of
// the data convolved with N(0, sigma^2 I), for annealed and plain Langevin.
func (m ScoreModel) sigmaScore() sde.ScoreFunc {
	o := data.NewOracle(m.GMM, data.SigmaMarginal{})
	if m.Class != nil {
		return o.ClassScore(m.Class.K, m.Class.Scale)
	}
	return o.Score
}

// NewExecutor uploads the network's weights into a new executor on lib; the
// caller releases its Params.
func (m ScoreModel) NewExecutor(lib *kernels.Lib) (*vkexec.Executor, error) {
	exec := &vkexec.Executor{Lib: lib, Params: vkexec.NewParamStore(lib.Dev)}
	for _, p := range m.Net.Params() {
		v, ok := m.Weights[p.Name]
		if !ok {
			exec.Params.Release()
			return nil, fmt.Errorf("%s has no weights for %s", m.Name, p.Name)
		}
		if err := exec.Params.Set(p.Name, graph.Shape(p.Shape), v); err != nil {
			exec.Params.Release()
			return nil, err
		}
	}
	return exec, nil
}

// divEstimators maps the likelihood's estimators to NetDivScore's names.
var divEstimators = map[sde.Estimator]string{sde.ExactDiv: DivExact,
	sde.HutchinsonRademacher: DivRademacher, sde.HutchinsonGaussian: DivGaussian}

// deviceScore builds m on the device, for sampling.
func (m ScoreModel) deviceScore(lib *kernels.Lib) (Score, func(), error) {
	if m.classifier != nil {
		return m.classifier.deviceScore(lib, m)
	}
	if !m.IsNet() {
		return &OracleScore{Lib: lib, GMM: m.GMM, Class: m.Class}, func() {}, nil
	}
	exec, err := m.NewExecutor(lib)
	if err != nil {
		return nil, nil, err
	}
	return &NetScore{Exec: exec, Build: m.Net.Build}, exec.Params.Release, nil
}

// deviceDivScore builds m with its divergence on the device, for the
// likelihood: the oracle's is exact, a network's is estimated by est with
// the given probes, drawn from seed.
func (m ScoreModel) deviceDivScore(lib *kernels.Lib, est sde.Estimator, probes int, seed uint64) (DivScore, func(), error) {
	if !m.IsNet() {
		return &OracleScore{Lib: lib, GMM: m.GMM}, func() {}, nil
	}
	exec, err := m.NewExecutor(lib)
	if err != nil {
		return nil, nil, err
	}
	net := NetScore{Exec: exec, Build: m.Net.Build}
	return &NetDivScore{NetScore: net, Estimator: divEstimators[est], Probes: probes, ProbeSeed: seed}, exec.Params.Release, nil
}
