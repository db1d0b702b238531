package model

import (
	"fmt"
	"strings"

	"github.com/sdevk/sdevk/graph"
)

// Classifier is a small ResNet encoder over images: a 3x3 convolution, then
// per resolution NumResBlocks of the U-Nets' residual blocks (DDPM++ kind,
// GroupNorm and SiLU, sums divided by sqrt 2) with a 2x2 average pool
// between resolutions, a final GroupNorm and SiLU, the spatial mean (the
// features, used by FID and KID) and a dense layer to the class logits.
//
// Conditional classifiers take a time t per image: the transformer
// sinusoids of 999 t through two dense layers, added in every block as the
// U-Nets add theirs. They are the noise-conditional classifiers p_t(y | x_t)
// of classifier guidance. Unconditional ones ignore t.
//
// A point classifier (ClassifierConfig.PointDim > 0) is an MLP over
// (x, time embedding) instead, for low-dimensional data such as a Gaussian
// mixture whose classes are its components (classifier_mlp.go).
//
// Its parameters are named "classifier.*", so that a classifier and a
// score network can share one graph.
type Classifier struct {
	cfg     ClassifierConfig
	embed   [2]dense // conditional only
	convIn  conv
	blocks  [][]*resBlock // per resolution
	normOut groupNorm
	head    dense
	mlp     *MLP // a point classifier's network (nil for images)
	specs   []ParamSpec
}

// classifierPrefix starts every parameter name of a Classifier.
const classifierPrefix = "classifier."

// NewClassifier checks c and declares the network.
func NewClassifier(c ClassifierConfig) (*Classifier, error) {
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if c.PointDim > 0 {
		return newPointClassifier(c)
	}
	c.ChMult = append([]int(nil), c.ChMult...)
	m := &Classifier{cfg: c}
	name := func(s string, a ...any) string { return classifierPrefix + fmt.Sprintf(s, a...) }
	temb := 4 * c.NF
	m.embed = [2]dense{newDense(name("embed.0"), c.NF, temb), newDense(name("embed.1"), temb, temb)}
	m.convIn = conv3x3(name("conv_in"), c.NumChannels, c.NF, 1)
	in := c.NF
	for lvl, mult := range c.ChMult {
		var level []*resBlock
		for i := range c.NumResBlocks {
			out := c.NF * mult
			level = append(level, newResBlock(name("level.%d.block.%d", lvl, i), resBlockSpec{
				kind: resDDPMpp, in: in, out: out, tembDim: temb, skipRescale: true, initScale: 1,
				groups: classifierGroups}))
			in = out
		}
		m.blocks = append(m.blocks, level)
	}
	m.normOut = newGroupNorm(name("norm_out"), in, classifierGroups(in))
	m.head = newDense(name("head"), in, c.NumClasses)

	var ls []layer
	if c.Conditional {
		ls = append(ls, m.embed[0], m.embed[1])
	}
	ls = append(ls, m.convIn)
	for _, level := range m.blocks {
		for _, b := range level {
			ls = append(ls, b)
		}
	}
	ls = append(ls, m.normOut, m.head)
	for _, p := range concatParams(ls...) {
		// An unconditional block has no time projection to learn.
		if !c.Conditional && strings.Contains(p.Name, ".Dense_0.") {
			continue
		}
		m.specs = append(m.specs, p)
	}
	return m, nil
}

// Config returns the configuration.
func (m *Classifier) Config() ClassifierConfig { return m.cfg }

// Params lists the parameters in a fixed order.
func (m *Classifier) Params() []ParamSpec { return append([]ParamSpec(nil), m.specs...) }

// ImageShape is [C, H, W] of one input ([D] for a point classifier).
func (m *Classifier) ImageShape() []int {
	if m.mlp != nil {
		return []int{m.cfg.PointDim}
	}
	return []int{m.cfg.NumChannels, m.cfg.ImageSize, m.cfg.ImageSize}
}

// Dim is the number of values of one input.
func (m *Classifier) Dim() int {
	if m.mlp != nil {
		return m.cfg.PointDim
	}
	return m.cfg.NumChannels * m.cfg.ImageSize * m.cfg.ImageSize
}

// FeatureDim is the length of the feature vector of one input.
func (m *Classifier) FeatureDim() int {
	if m.mlp != nil {
		return m.mlp.Config().Hidden
	}
	return m.cfg.NF * m.cfg.ChMult[len(m.cfg.ChMult)-1]
}

// NumParams counts the parameter values.
func (m *Classifier) NumParams() int {
	n := 0
	for _, p := range m.specs {
		n += p.Size()
	}
	return n
}

// Logits adds the class logits [B, NumClasses] of x ([B, C, H, W] or rows
// [B, C*H*W]) at times t [B] (nil for an unconditional classifier).
func (m *Classifier) Logits(g *graph.Graph, x, t *graph.Node) *graph.Node {
	_, logits := m.FeaturesAndLogits(g, x, t)
	return logits
}

// Features adds the pooled penultimate activations [B, FeatureDim()]: the
// feature space of FID and KID.
func (m *Classifier) Features(g *graph.Graph, x, t *graph.Node) *graph.Node {
	return m.features(g, x, t)
}

// FeaturesAndLogits adds both, sharing the encoder.
func (m *Classifier) FeaturesAndLogits(g *graph.Graph, x, t *graph.Node) (features, logits *graph.Node) {
	features = m.features(g, x, t)
	if g.Err() != nil {
		return features, features
	}
	if m.mlp != nil {
		return features, m.mlp.Output(g, features)
	}
	return features, m.head.apply(g, features)
}

func (m *Classifier) features(g *graph.Graph, x, t *graph.Node) *graph.Node {
	if err := m.checkInputs(x, t); err != nil {
		g.Fail(err)
		return x
	}
	if m.mlp != nil {
		return m.mlp.BuildHidden(g, x, t)
	}
	if len(x.Shape()) == 2 {
		x = graph.Reshape(x, append([]int{x.Shape()[0]}, m.ImageShape()...)...)
	}
	f := forward{g: g, act: graph.SiLU}
	var temb *graph.Node
	if m.cfg.Conditional {
		temb = positionalEmbedding(graph.Scale(t, 999), m.cfg.NF)
		temb = m.embed[1].apply(g, f.act(m.embed[0].apply(g, temb)))
	}
	h := m.convIn.apply(g, inputScaling(x, m.cfg.Centered))
	for lvl, level := range m.blocks {
		if lvl > 0 {
			h = downsample2D(h, nil)
		}
		for _, b := range level {
			h = b.apply(f, h, temb)
		}
	}
	h = f.act(m.normOut.apply(g, h))
	return graph.ReduceMean(h, []int{2, 3}, false)
}

// checkInputs accepts images [B, C, H, W] of the classifier's geometry or
// rows [B, C*H*W], and t [B] when conditional.
func (m *Classifier) checkInputs(x, t *graph.Node) error {
	if x == nil {
		return fmt.Errorf("model: classifier: nil input")
	}
	xs, img := x.Shape(), m.ImageShape()
	ok := (len(xs) == 2 && xs[1] == m.Dim()) ||
		(len(xs) == 4 && len(img) == 3 && xs[1] == img[0] && xs[2] == img[1] && xs[3] == img[2])
	switch {
	case !ok && m.mlp != nil:
		return fmt.Errorf("model: the point classifier takes rows [B %d], got x of shape %v", m.Dim(), xs)
	case !ok:
		return fmt.Errorf("model: the classifier takes images [B %d %d %d] or rows [B %d], got x of shape %v", img[0], img[1], img[2], m.Dim(), xs)
	}
	if !m.cfg.Conditional {
		return nil
	}
	if t == nil || !t.Shape().Equal(graph.Shape{xs[0]}) {
		got := "none"
		if t != nil {
			got = fmt.Sprint(t.Shape())
		}
		return fmt.Errorf("model: the noise-conditional classifier needs times t of shape [%d], got %s", xs[0], got)
	}
	return nil
}
