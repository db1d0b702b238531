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

// classGuidedNet is a score network steered by a trained noise-conditional
// classifier (score_sde's classifier guidance): Build returns
// s(x, t) + scale grad_x log p_t(k | x), the gradient coming from the
// graph's autodiff on the same graph, so a sampler records the guided score
// as one program with no host work per step. The classifier is conditioned
// on the same SDE time t as the score network (sde.BuildClassifierLoss
// trains it on x_t at t ~ U(eps, T)), and its parameters, all named
// "classifier.*", sit beside the network's.
type classGuidedNet struct {
	net   model.ScoreNet
	cls   *model.Classifier
	k     int
	scale float64
}

// Build adds the guided score for x [B, D] and t [B].
func (n classGuidedNet) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	s := n.net.Build(g, x, t)
	if g.Err() != nil {
		return s
	}
	b, classes := x.Shape()[0], n.cls.Config().NumClasses
	onehot := make([]float64, b*classes)
	for i := range b {
		onehot[i*classes+n.k] = 1
	}
	grad, err := sde.ClassifierGuidance(n.cls, x, t, g.Const(onehot, b, classes))
	if err != nil {
		g.Fail(err)
		return s
	}
	return graph.Add(s, graph.Scale(grad, n.scale))
}

// Params lists the network's parameters, then the classifier's.
func (n classGuidedNet) Params() []model.ParamSpec {
	return slices.Concat(n.net.Params(), n.cls.Params())
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

// WithClassifier returns the network m guided towards class k of c at the
// given scale. im is the geometry of m's images (nil for a point model):
// the classifier must take exactly the data the network samples. The
// classifier must be noise-conditional, since guidance needs p_t(y | x_t)
// at every t of the sampler, not p(y | x) of clean data.
func (m ScoreModel) WithClassifier(c Classifier, im *Images, k int, scale float64) (ScoreModel, error) {
	cc := c.Net.Config()
	switch {
	case !m.IsNet():
		return m, fmt.Errorf("a trained classifier guides a network score (--checkpoint); the oracle score takes --classifier oracle")
	case !cc.Conditional:
		return m, fmt.Errorf("%s is not noise-conditional: guidance needs p_t(y | x_t) at every time of the sampler; train it with noise-conditional training", c.Name)
	case im == nil && c.Net.Dim() != m.Dim:
		return m, fmt.Errorf("%s classifies %dx%dx%d images (%d values), the model's points are %d-D", c.Name, cc.NumChannels, cc.ImageSize, cc.ImageSize, c.Net.Dim(), m.Dim)
	case im != nil && (cc.NumChannels != im.C || cc.ImageSize != im.H || cc.ImageSize != im.W):
		return m, fmt.Errorf("%s classifies %dx%dx%d images, the model samples %dx%dx%d", c.Name, cc.NumChannels, cc.ImageSize, cc.ImageSize, im.C, im.H, im.W)
	case im != nil && cc.Centered != im.Centered:
		return m, fmt.Errorf("%s takes images in %s, the model's are in %s", c.Name, dataRange(cc.Centered), dataRange(im.Centered))
	case k < 0 || k >= cc.NumClasses:
		return m, fmt.Errorf("class %d is out of range: %s has %d classes (0..%d)", k, c.Name, cc.NumClasses, cc.NumClasses-1)
	}
	for _, p := range m.Net.Params() {
		if strings.HasPrefix(p.Name, "classifier.") {
			return m, fmt.Errorf("%s has a parameter %s named like a classifier's", m.Name, p.Name)
		}
	}
	weights := maps.Clone(m.Weights)
	maps.Copy(weights, c.Weights)
	m.Net = classGuidedNet{net: m.Net, cls: c.Net, k: k, scale: scale}
	m.Weights = weights
	m.Class = &ClassGuide{K: k, Scale: scale, Classifier: c.Name}
	return m, nil
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
