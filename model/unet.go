package model

import (
	"fmt"
	"strings"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/sde"
)

// UNet is one of score_sde's image score networks (ddpm, or ncsnpp as NCSN++
// and DDPM++) with score_sde's continuous-time score function around it.
// Its parameters carry the torch state_dict names of the network, without
// DataParallel's "module." prefix ("all_modules.3.Conv_0.weight"), in
// model.parameters() order, which is also the order of an EMA's
// shadow_params.
type UNet struct {
	sde     sde.SDE
	cfg     UNetConfig
	modules []layer // all_modules
	specs   []ParamSpec
	// training turns dropout on (score_sde's train=True): see ForTraining.
	training bool
}

var _ ScoreNet = (*UNet)(nil)

// NewUNet checks c and declares the network for s.
func NewUNet(s sde.SDE, c UNetConfig) (*UNet, error) {
	if s == nil {
		return nil, fmt.Errorf("model: NewUNet: nil SDE")
	}
	c.normalise()
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("model: %s: %w", c.Name, err)
	}
	c.ChMult = append([]int(nil), c.ChMult...)
	c.AttnResolutions = append([]int(nil), c.AttnResolutions...)
	c.FIRKernel = append([]float64(nil), c.FIRKernel...)
	u := &UNet{sde: s, cfg: c, modules: declare(c)}
	u.specs = concatParams(u.modules...)
	return u, nil
}

// declare lists the all_modules of a checked config.
func declare(c UNetConfig) []layer {
	if c.Name == UNetDDPM {
		return declareDDPM(c)
	}
	return declareNCSNpp(c)
}

// checkGroups finds a GroupNorm whose channels do not split into its
// groups (the skip concatenations make counts that only the declaration
// shows), as torch would refuse to build it.
func checkGroups(ms []layer, c UNetConfig) error {
	var norms []groupNorm
	for _, m := range ms {
		switch b := m.(type) {
		case groupNorm:
			norms = append(norms, b)
		case *resBlock:
			norms = append(norms, b.gn0, b.gn1)
		case *attnBlock:
			norms = append(norms, b.gn)
		}
	}
	for _, n := range norms {
		if ch := n.w.Shape[0]; n.groups < 1 || ch%n.groups != 0 {
			return &ConfigError{Key: "model.nf", Msg: fmt.Sprintf("%s: %d channels do not split into %d GroupNorm groups (nf %d, ch_mult %v)",
				strings.TrimSuffix(n.w.Name, ".weight"), ch, n.groups, c.NF, c.ChMult)}
		}
	}
	return nil
}

// ForTraining returns the network as score_sde trains it, with dropout (a
// fresh mask per step from the run's random key); u itself stays the
// evaluation network (train=False), without it.
func (u *UNet) ForTraining() ScoreNet {
	t := *u
	t.training = true
	return &t
}

// Config returns the configuration.
func (u *UNet) Config() UNetConfig { return u.cfg }

// Params lists the parameters in torch's model.parameters() order.
func (u *UNet) Params() []ParamSpec { return append([]ParamSpec(nil), u.specs...) }

// ImageShape is [C, H, W] of one input.
func (u *UNet) ImageShape() []int {
	return []int{u.cfg.NumChannels, u.cfg.ImageSize, u.cfg.ImageSize}
}

// Dim is the number of values of one image.
func (u *UNet) Dim() int { return u.cfg.NumChannels * u.cfg.ImageSize * u.cfg.ImageSize }

// Build adds the score s(x, t) of score_sde's get_score_fn (continuous
// training): VP and sub-VP call the network with labels 999 t and return
// -net / std(t); VE calls it with sigma(t) and returns its output (divided
// by sigma inside the network when scale_by_sigma). x is [B, C, H, W] or
// its flat view [B, C*H*W]; the score has x's shape.
func (u *UNet) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	raw := u.BuildRaw(g, x, t)
	if u.sde.Kind() == sde.KindVE || g.Err() != nil {
		return raw
	}
	return ApplyParameterisation(u.sde, ParamNoise, raw, t)
}

// BuildNoise adds the noise prediction the ddpm loss compares with z: the
// raw output for VP and sub-VP, -score std(t) for VE.
func (u *UNet) BuildNoise(g *graph.Graph, x, t *graph.Node) *graph.Node {
	if u.sde.Kind() != sde.KindVE {
		return u.BuildRaw(g, x, t)
	}
	score := u.Build(g, x, t)
	if g.Err() != nil {
		return score
	}
	_, std := sde.MarginalNodes(u.sde, t)
	return graph.Neg(graph.Mul(score, graph.Reshape(std, broadcastShape(std.Shape()[0], len(score.Shape()))...)))
}

// BuildRaw adds the network's output at the labels of time t (before the
// VP division by std), shaped like x.
func (u *UNet) BuildRaw(g *graph.Graph, x, t *graph.Node) *graph.Node {
	return u.buildWith(g, x, t, &cursor{list: u.modules})
}

// buildWith is BuildRaw walking all_modules with cur.
func (u *UNet) buildWith(g *graph.Graph, x, t *graph.Node, cur *cursor) *graph.Node {
	xs := x.Shape()
	img := x
	if err := u.checkInput(xs); err != nil {
		g.Fail(err)
		return x
	}
	if len(xs) == 2 {
		img = graph.Reshape(x, append([]int{xs[0]}, u.ImageShape()...)...)
	}
	labels, logLabels := u.labels(t)
	f := forward{g: g, act: activation(u.cfg.Nonlinearity)}
	if u.training {
		f.dropout = u.cfg.Dropout
	}
	var h *graph.Node
	if u.cfg.Name == UNetDDPM {
		h = forwardDDPM(f, u.cfg, cur, img, labels)
	} else {
		h = forwardNCSNpp(f, u.cfg, cur, img, labels, logLabels)
	}
	if len(xs) == 2 {
		h = graph.Reshape(h, xs...)
	}
	return h
}

// labels returns the network's time_cond for t and its log: 999 t for VP
// and sub-VP, sigma(t) for VE.
func (u *UNet) labels(t *graph.Node) (labels, logLabels *graph.Node) {
	if ve, ok := u.sde.(*sde.VE); ok {
		l := sde.VELogSigmaNode(ve, t)
		return graph.Exp(l), l
	}
	labels = graph.Scale(t, 999)
	return labels, graph.Log(labels)
}

// cursor walks all_modules in forward order, as score_sde's m_idx does.
// With g set it marks where each module's nodes start in g.Nodes() (the
// summary's bookkeeping).
type cursor struct {
	list  []layer
	i     int
	g     *graph.Graph
	marks []int
}

func take[T layer](c *cursor) T {
	if c.g != nil {
		c.marks = append(c.marks, len(c.g.Nodes()))
	}
	l := c.list[c.i].(T) // the forward pass mirrors the declaration: a mismatch is a bug
	c.i++
	return l
}

// broadcastShape is [b, 1, ..., 1] of rank r.
func broadcastShape(b, r int) []int {
	s := make([]int, r)
	for i := range s {
		s[i] = 1
	}
	s[0] = b
	return s
}

// divideBySigma is scale_by_sigma: h / sigma per sample.
func divideBySigma(h, sigma *graph.Node) *graph.Node {
	return graph.Div(h, graph.Reshape(sigma, broadcastShape(sigma.Shape()[0], len(h.Shape()))...))
}

// inputScaling maps [0, 1] data to [-1, 1] unless the data are centred.
func inputScaling(x *graph.Node, centered bool) *graph.Node {
	if centered {
		return x
	}
	return graph.Affine(x, 2, -1)
}

// name returns all_modules.i.
func moduleName(i int) string { return fmt.Sprintf("all_modules.%d", i) }

// checkInput accepts a batch of images [B, C, H, W] of the network's
// geometry, or of rows [B, C*H*W].
func (u *UNet) checkInput(xs []int) error {
	img := u.ImageShape()
	switch {
	case len(xs) == 2 && xs[1] == u.Dim():
		return nil
	case len(xs) == 4 && xs[1] == img[0] && xs[2] == img[1] && xs[3] == img[2]:
		return nil
	}
	return fmt.Errorf("model: the U-Net takes images [B %d %d %d] or rows [B %d], got x of shape %v", img[0], img[1], img[2], u.Dim(), xs)
}
