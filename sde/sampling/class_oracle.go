package sampling

import (
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// oracleGuide is a trained classifier guiding a Gaussian mixture's exact
// score (ScoreModel.classifier; ScoreModel.Class says towards what): the
// guided score is the oracle's plus scale grad_x log p_t(k | x) of the
// classifier. It shows how a trained classifier steers a score that is
// exact, so that what the samples miss is the classifier's doing.
type oracleGuide struct {
	guide   classifierGuidance
	weights map[string][]float32
}

// timeScore is the guided score on the host: the oracle's, plus the
// guidance term run by the float64 reference executor.
func (o *oracleGuide) timeScore(oracle sde.ScoreFunc, d int) sde.ScoreFunc {
	guide := model.ReferenceScore(o.guide, o.weights, d)
	return func(x []float64, t float64, out []float64) {
		oracle(x, t, out)
		term := make([]float64, len(out))
		guide(x, t, term)
		for i, v := range term {
			out[i] += v
		}
	}
}

// oracleScoreInput names the input of the guidance program that holds the
// oracle's score.
const oracleScoreInput = "oracle_score"

// deviceScore is the guided score on the device: the unguided oracle kernel
// of m, then one program adding the guidance term to its output.
func (o *oracleGuide) deviceScore(lib *kernels.Lib, m ScoreModel) (Score, func(), error) {
	exec, err := NetModel(m.Name, o.guide, o.weights, m.GMM.Dim()).NewExecutor(lib)
	if err != nil {
		return nil, nil, err
	}
	build := func(g *graph.Graph, x, t *graph.Node) *graph.Node {
		return graph.Add(g.Input(oracleScoreInput, x.Shape()...), o.guide.Build(g, x, t))
	}
	s := &oracleGuidedScore{oracle: &OracleScore{Lib: lib, GMM: m.GMM}, net: NetScore{Exec: exec, Build: build}}
	return s, exec.Params.Release, nil
}

// oracleGuidedScore records the oracle's score, then the program that adds
// the guidance term to it.
type oracleGuidedScore struct {
	oracle *OracleScore
	net    NetScore
}

// Bind prepares the oracle, then compiles the program reading its score.
func (s *oracleGuidedScore) Bind(x *vk.Buffer, b, d int, sched *Schedule) error {
	if err := s.oracle.Bind(x, b, d, sched); err != nil {
		return err
	}
	s.net.Bound = map[string]*vk.Buffer{oracleScoreInput: s.oracle.score}
	return s.net.Bind(x, b, d, sched)
}

// Record records both; the program's output is the guided score.
func (s *oracleGuidedScore) Record(seq *vk.Sequence) (*vk.Buffer, error) {
	if _, err := s.oracle.Record(seq); err != nil {
		return nil, err
	}
	return s.net.Record(seq)
}

// Close frees what Bind made.
func (s *oracleGuidedScore) Close() {
	s.net.Close()
	s.oracle.Close()
}

// checkGuidedMethod refuses a Langevin sampler for an oracle guided by a
// trained classifier: those samplers condition the oracle on noise levels,
// not on the time the classifier is conditioned on.
func checkGuidedMethod(r Request) error {
	if r.Score.classifier != nil && r.Method.LangevinFamily() {
		return requestErrorf("a trained classifier guides the time-conditioned samplers (pc, em, ode), not %s", r.Method)
	}
	return nil
}
