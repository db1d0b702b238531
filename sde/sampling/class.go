package sampling

import "fmt"

// ClassGuide is score_sde's class-conditional sampling with the oracle
// classifier: the score becomes s(x, t) + Scale grad_x log p_t(K | x), where
// p_t(K | x) is the exact posterior of component K under the perturbed
// mixture (data.GMM.ClassScoreAt). At Scale 1 that is component K's own
// score, so the samples follow component K. Every sampler that takes a
// score honours it: the guidance is part of the score kernel, with no
// host work per step.
//
// A network score is guided the same way by a trained noise-conditional
// classifier (WithClassifier), named by Classifier.
type ClassGuide struct {
	K          int
	Scale      float64
	Classifier string // "" for the oracle
}

// WithClass returns m guided towards class k at the given scale. Only an
// oracle has a classifier here: a class is a component of its mixture.
func (m ScoreModel) WithClass(k int, scale float64) (ScoreModel, error) {
	if m.IsNet() || m.GMM == nil {
		return m, fmt.Errorf("--class needs the oracle classifier: a Gaussian-mixture config sampled with --score oracle")
	}
	if err := m.GMM.CheckClass(k); err != nil {
		return m, err
	}
	m.Class = &ClassGuide{K: k, Scale: scale}
	return m, nil
}

// checkUnguided refuses a class-guided score where the mixture's own
// divergence is needed (the likelihood): the guided score is not the
// gradient of a density the ODE integrates.
func checkUnguided(m ScoreModel) error {
	if m.Class != nil {
		return requestErrorf("the likelihood takes the unguided score; drop the class")
	}
	return nil
}
