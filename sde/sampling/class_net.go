package sampling

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// classifierGuidance is scale grad_x log p_t(k | x) of a trained
// noise-conditional classifier (score_sde's classifier guidance), as a
// model.ScoreNet so that it runs wherever a score network runs: its
// gradient comes from the graph's autodiff on the same graph, so a sampler
// records the guided score as one program with no host work per step. The
// classifier is conditioned on the same SDE time t as the score
// (sde.BuildClassifierLoss trains it on x_t at t ~ U(eps, T)), and its
// parameters are all named "classifier.*".
type classifierGuidance struct {
	cls   *model.Classifier
	k     int
	scale float64
}

// Build adds the guidance term for x [B, D] and t [B].
func (c classifierGuidance) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	b, classes := x.Shape()[0], c.cls.Config().NumClasses
	onehot := make([]float64, b*classes)
	for i := range b {
		onehot[i*classes+c.k] = 1
	}
	grad, err := sde.ClassifierGuidance(c.cls, x, t, g.Const(onehot, b, classes))
	if err != nil {
		g.Fail(err)
		return x
	}
	return graph.Scale(grad, c.scale)
}

// Params lists the classifier's parameters.
func (c classifierGuidance) Params() []model.ParamSpec { return c.cls.Params() }

// classGuidedNet is a score network steered by a classifier: Build returns
// s(x, t) + scale grad_x log p_t(k | x) on one graph.
type classGuidedNet struct {
	net   model.ScoreNet
	guide classifierGuidance
}

// Build adds the guided score for x [B, D] and t [B].
func (n classGuidedNet) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	s := n.net.Build(g, x, t)
	if g.Err() != nil {
		return s
	}
	return graph.Add(s, n.guide.Build(g, x, t))
}

// Params lists the network's parameters, then the classifier's.
func (n classGuidedNet) Params() []model.ParamSpec {
	return slices.Concat(n.net.Params(), n.guide.Params())
}

// Classifier is a trained classifier with its weights, read by
// quality.LoadClassifier; Name labels it in messages (its run or file).
type Classifier struct {
	Name    string
	Net     *model.Classifier
	Weights map[string][]float32
	// SDE is the SDE it was trained under, when its checkpoint says
	// (LoadClassifier); nil leaves it unchecked.
	SDE *config.SDEConfig
}

// WithClassifier returns m guided towards class k of c at the given scale:
// a network score (its graph gains the guidance term) or a Gaussian
// mixture's exact score (the guidance added on the device by a program of
// its own, oracleGuided). im is the geometry of m's images (nil for
// points): the classifier must take exactly the data m samples. The
// classifier must be noise-conditional, since guidance needs p_t(y | x_t)
// at every t of the sampler, not p(y | x) of clean data.
func (m ScoreModel) WithClassifier(c Classifier, im *Images, k int, scale float64) (ScoreModel, error) {
	if err := c.fits(m, im, k); err != nil {
		return m, err
	}
	guide := classifierGuidance{cls: c.Net, k: k, scale: scale}
	m.Class = &ClassGuide{K: k, Scale: scale, Classifier: c.Name}
	if !m.IsNet() {
		m.classifier = &oracleGuide{guide: guide, weights: c.Weights}
		return m, nil
	}
	for _, p := range m.Net.Params() {
		if strings.HasPrefix(p.Name, "classifier.") {
			return m, fmt.Errorf("%s has a parameter %s named like a classifier's", m.Name, p.Name)
		}
	}
	weights := maps.Clone(m.Weights)
	maps.Copy(weights, c.Weights)
	m.Net = classGuidedNet{net: m.Net, guide: guide}
	m.Weights = weights
	return m, nil
}

// fits says why c cannot guide m towards class k, if it cannot: m must
// sample what c classifies (im's images, else m's points) and k must be
// one of c's classes.
func (c Classifier) fits(m ScoreModel, im *Images, k int) error {
	cc := c.Net.Config()
	d := m.Dim
	if !m.IsNet() {
		if m.GMM == nil {
			return fmt.Errorf("a trained classifier guides a network score or a Gaussian mixture's oracle score")
		}
		d = m.GMM.Dim()
	}
	switch {
	case !cc.Conditional:
		return fmt.Errorf("%s is not noise-conditional: guidance needs p_t(y | x_t) at every time of the sampler; train it with noise-conditional training", c.Name)
	case im == nil && (!c.Net.IsPoints() || c.Net.Dim() != d):
		return fmt.Errorf("%s classifies %s, the model samples %d-D points", c.Name, cc.Input(), d)
	case im != nil && (c.Net.IsPoints() || cc.NumChannels != im.C || cc.ImageSize != im.H || cc.ImageSize != im.W):
		return fmt.Errorf("%s classifies %s, the model samples %dx%dx%d images", c.Name, cc.Input(), im.C, im.H, im.W)
	case im != nil && cc.Centered != im.Centered:
		return fmt.Errorf("%s takes images in %s, the model's are in %s", c.Name, dataRange(cc.Centered), dataRange(im.Centered))
	case k < 0 || k >= cc.NumClasses:
		return fmt.Errorf("class %d is out of range: %s has %d classes (0..%d)", k, c.Name, cc.NumClasses, cc.NumClasses-1)
	}
	return nil
}

// ClassCount is the number of classes m can be guided towards with c
// (nil: the oracle's, one per mixture component).
func (m ScoreModel) ClassCount(c *Classifier) int {
	if c != nil {
		return c.Net.Config().NumClasses
	}
	if m.GMM != nil {
		return m.GMM.K()
	}
	return 0
}

func dataRange(centered bool) string {
	if centered {
		return "[-1, 1] (centered)"
	}
	return "[0, 1]"
}
