package model

import (
	"fmt"
	"strings"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/sde"
)

// Parameterisation is how a network's raw output becomes a score.
type Parameterisation int

const (
	// ParamDefault picks the SDE's default: ParamScaled for VE, ParamNoise
	// for VP and sub-VP.
	ParamDefault Parameterisation = iota
	// ParamNoise: score = -net / std(t) (the network predicts z).
	ParamNoise
	// ParamScaled: score = net / sigma(t) (NCSNv2 scale_by_sigma).
	ParamScaled
	// ParamDirect: score = net.
	ParamDirect
)

var paramNames = []string{"default", "noise", "scaled", "direct"}

func (p Parameterisation) String() string {
	if p >= 0 && int(p) < len(paramNames) {
		return paramNames[p]
	}
	return fmt.Sprintf("Parameterisation(%d)", int(p))
}

// ParseParameterisation accepts "", "default", "noise", "scaled" and "direct".
func ParseParameterisation(s string) (Parameterisation, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ParamDefault, nil
	}
	for i, n := range paramNames {
		if n == s {
			return Parameterisation(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown score parameterisation %q (want noise, scaled or direct)", s)
}

// DefaultParameterisation is score_sde's choice for s: scaled for VE, noise
// for VP and sub-VP.
func DefaultParameterisation(s sde.SDE) Parameterisation {
	if s.Kind() == sde.KindVE {
		return ParamScaled
	}
	return ParamNoise
}

// Time embeddings.
const (
	EmbedDefault    = ""           // fourier for VE, sinusoidal for VP / sub-VP
	EmbedFourier    = "fourier"    // Gaussian Fourier features (frozen, scale FourierScale)
	EmbedSinusoidal = "sinusoidal" // DDPM / transformer features of t (N-1)
)

// Activations of the hidden layers.
const (
	ActSiLU     = "silu"
	ActSoftplus = "softplus"
	ActELU      = "elu"
	ActTanh     = "tanh"
)

// How x meets the time embedding.
const (
	CombineConcat = "concat" // the first layer sees [x, temb]
	CombineAdd    = "add"    // the first layer's pre-activation is x W + b + temb
)

// MLPConfig configures the MLP score network. Zero values take the
// defaults noted.
type MLPConfig struct {
	// Dim is the data dimension D (required).
	Dim int
	// Out is the width of the output layer (Dim, a score; a point
	// classifier's is its class count).
	Out int
	// Hidden is the width of the hidden layers (128).
	Hidden int
	// Layers is the number of hidden layers (2).
	Layers int
	// Act is the hidden activation: silu (default), softplus, elu, tanh.
	Act string
	// Embed is the time embedding: fourier or sinusoidal (per SDE).
	Embed string
	// EmbedDim is the number of embedding features, even (Hidden).
	EmbedDim int
	// TembDim is the width of the embedding's two dense layers (Hidden;
	// forced to Hidden with CombineAdd).
	TembDim int
	// FourierScale scales the Gaussian Fourier frequencies (16).
	FourierScale float64
	// Combine is concat (default) or add.
	Combine string
	// Param is the score parameterisation (per SDE by default).
	Param Parameterisation
	// Prefix starts every parameter name ("score.").
	Prefix string
	// Init is the initialiser of the weights (glorot_uniform; biases are
	// zero). OutScale scales the variance of the output layer's weights (1).
	Init     InitKind
	OutScale float64
}

// MLP is a fully connected score network for low-dimensional data.
type MLP struct {
	sde   sde.SDE
	cfg   MLPConfig
	specs []ParamSpec
}

// NewMLP validates c, fills in its defaults and returns the network for s.
func NewMLP(s sde.SDE, c MLPConfig) (*MLP, error) {
	if s == nil {
		return nil, fmt.Errorf("model: NewMLP: nil SDE")
	}
	if c.Dim < 1 {
		return nil, fmt.Errorf("model: mlp: data dimension %d must be >= 1", c.Dim)
	}
	if c.Out == 0 {
		c.Out = c.Dim
	}
	if c.Hidden == 0 {
		c.Hidden = 128
	}
	if c.Layers == 0 {
		c.Layers = 2
	}
	c.Act = strings.ToLower(strings.TrimSpace(c.Act))
	if c.Act == "" {
		c.Act = ActSiLU
	}
	c.Embed = strings.ToLower(strings.TrimSpace(c.Embed))
	if c.Embed == EmbedDefault {
		c.Embed = EmbedSinusoidal
		if s.Kind() == sde.KindVE {
			c.Embed = EmbedFourier
		}
	}
	if c.EmbedDim == 0 {
		c.EmbedDim = c.Hidden
	}
	c.Combine = strings.ToLower(strings.TrimSpace(c.Combine))
	if c.Combine == "" {
		c.Combine = CombineConcat
	}
	if c.TembDim == 0 || c.Combine == CombineAdd {
		c.TembDim = c.Hidden
	}
	if c.FourierScale == 0 {
		c.FourierScale = 16
	}
	if c.Param == ParamDefault {
		c.Param = DefaultParameterisation(s)
	}
	if c.Prefix == "" {
		c.Prefix = "score."
	}
	if c.Init == InitZeros {
		c.Init = InitGlorotUniform
	}
	if c.OutScale == 0 {
		c.OutScale = 1
	}
	switch {
	case c.Out < 1:
		return nil, fmt.Errorf("model: mlp: output width %d must be >= 1", c.Out)
	case c.Hidden < 1 || c.Layers < 1:
		return nil, fmt.Errorf("model: mlp: hidden width %d and layers %d must be >= 1", c.Hidden, c.Layers)
	case c.Act != ActSiLU && c.Act != ActSoftplus && c.Act != ActELU && c.Act != ActTanh:
		return nil, fmt.Errorf("model: mlp: activation %q unknown (want silu, softplus, elu or tanh)", c.Act)
	case c.Embed != EmbedFourier && c.Embed != EmbedSinusoidal:
		return nil, fmt.Errorf("model: mlp: time embedding %q unknown (want fourier or sinusoidal)", c.Embed)
	case c.EmbedDim%2 != 0 || c.EmbedDim < 2 || (c.Embed == EmbedSinusoidal && c.EmbedDim < 4):
		return nil, fmt.Errorf("model: mlp: embedding dimension %d must be even and >= 2 (>= 4 for sinusoidal)", c.EmbedDim)
	case c.Combine != CombineConcat && c.Combine != CombineAdd:
		return nil, fmt.Errorf("model: mlp: combine %q unknown (want concat or add)", c.Combine)
	case c.Param < ParamNoise || c.Param > ParamDirect:
		return nil, fmt.Errorf("model: mlp: parameterisation %v unknown", c.Param)
	case c.Param == ParamScaled && s.Kind() != sde.KindVE:
		// sigma(t) is the VE std; for VP it would be std(t) with the sign
		// of a noise prediction flipped, which nobody wants by accident.
		return nil, fmt.Errorf("model: mlp: the scaled parameterisation needs a VE SDE, not %v", s.Kind())
	}
	m := &MLP{sde: s, cfg: c}
	m.specs = m.buildSpecs()
	return m, nil
}

// Config returns the configuration with defaults filled in.
func (m *MLP) Config() MLPConfig { return m.cfg }

// Params lists the parameters: the frozen Fourier frequencies (if any),
// the embedding's two dense layers, the hidden layers and the output layer.
func (m *MLP) Params() []ParamSpec { return append([]ParamSpec(nil), m.specs...) }

func (m *MLP) buildSpecs() []ParamSpec {
	c := m.cfg
	var ps []ParamSpec
	dense := func(name string, in, out int, scale float64) {
		ps = append(ps,
			ParamSpec{Name: c.Prefix + name + ".w", Shape: []int{in, out}, Init: Init{Kind: c.Init, Scale: scale}},
			ParamSpec{Name: c.Prefix + name + ".b", Shape: []int{out}, Init: Init{Kind: InitZeros}})
	}
	if c.Embed == EmbedFourier {
		ps = append(ps, ParamSpec{Name: c.Prefix + "temb.fourier", Shape: []int{c.EmbedDim / 2},
			Init: Init{Kind: InitNormal, Scale: c.FourierScale}, Frozen: true})
	}
	dense("temb.0", c.EmbedDim, c.TembDim, 1)
	dense("temb.1", c.TembDim, c.TembDim, 1)
	in := c.Dim + c.TembDim
	if c.Combine == CombineAdd {
		in = c.Dim
	}
	for l := range c.Layers {
		dense(fmt.Sprintf("h%d", l), in, c.Hidden, 1)
		in = c.Hidden
	}
	dense("out", c.Hidden, c.Out, c.OutScale)
	return ps
}

// param returns the graph Param of the spec called name.
func (m *MLP) param(g *graph.Graph, name string) *graph.Node {
	for _, p := range m.specs {
		if p.Name == m.cfg.Prefix+name {
			return Param(g, p)
		}
	}
	panic("model: mlp: no param " + name)
}

// Dense returns x W + b for the Params w [in, out] and b [out].
func Dense(x, w, b *graph.Node) *graph.Node { return graph.Add(graph.MatMul(x, w), b) }

// Activation applies the named activation (silu, softplus, elu with
// alpha 1, tanh); unknown names fall back to SiLU.
func Activation(name string, x *graph.Node) *graph.Node {
	switch name {
	case ActSoftplus:
		return graph.Softplus(x)
	case ActELU:
		return graph.ELU(x, 1)
	case ActTanh:
		return graph.Tanh(x)
	}
	return graph.SiLU(x)
}

func (m *MLP) dense(g *graph.Graph, name string, x *graph.Node) *graph.Node {
	return Dense(x, m.param(g, name+".w"), m.param(g, name+".b"))
}

// TimeEmbedding builds the [B, TembDim] time features of t [B]: the
// Fourier or sinusoidal embedding followed by Dense, SiLU, Dense.
func (m *MLP) TimeEmbedding(g *graph.Graph, t *graph.Node) *graph.Node {
	c := m.cfg
	var e *graph.Node
	if c.Embed == EmbedFourier {
		cond := t
		if ve, ok := m.sde.(*sde.VE); ok {
			cond = sde.VELogSigmaNode(ve, t)
		}
		e = graph.GaussianFourierEmbed(cond, m.param(g, "temb.fourier"))
	} else {
		e = graph.SinusoidalEmbed(graph.Scale(t, float64(m.sde.N()-1)), c.EmbedDim, 10000)
	}
	return m.dense(g, "temb.1", graph.SiLU(m.dense(g, "temb.0", e)))
}

// BuildRaw adds the raw network output net(x, t) [B, Out], before the
// score parameterisation.
func (m *MLP) BuildRaw(g *graph.Graph, x, t *graph.Node) *graph.Node {
	return m.Output(g, m.BuildHidden(g, x, t))
}

// Output applies the output layer to the last hidden layer h [B, Hidden].
func (m *MLP) Output(g *graph.Graph, h *graph.Node) *graph.Node { return m.dense(g, "out", h) }

// BuildHidden adds the last hidden layer's activations [B, Hidden] of
// (x, t), which the output layer reads.
func (m *MLP) BuildHidden(g *graph.Graph, x, t *graph.Node) *graph.Node {
	c := m.cfg
	temb := m.TimeEmbedding(g, t)
	var h *graph.Node
	if c.Combine == CombineAdd {
		h = Activation(c.Act, graph.Add(m.dense(g, "h0", x), temb))
	} else {
		h = Activation(c.Act, m.dense(g, "h0", graph.Concat(1, x, temb)))
	}
	for l := 1; l < c.Layers; l++ {
		h = Activation(c.Act, m.dense(g, fmt.Sprintf("h%d", l), h))
	}
	return h
}

// Build adds the score s(x, t) = parameterisation(net(x, t)).
func (m *MLP) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	return ApplyParameterisation(m.sde, m.cfg.Param, m.BuildRaw(g, x, t), t)
}

// BuildNoise adds the network's noise prediction for ParamNoise (the raw
// output), or -score std(t) otherwise; the ddpm loss uses it.
func (m *MLP) BuildNoise(g *graph.Graph, x, t *graph.Node) *graph.Node {
	raw := m.BuildRaw(g, x, t)
	if m.cfg.Param == ParamNoise {
		return raw
	}
	_, std := sde.MarginalNodes(m.sde, t)
	score := ApplyParameterisation(m.sde, m.cfg.Param, raw, t)
	return graph.Neg(graph.Mul(score, graph.Reshape(std, std.Shape()[0], 1)))
}

// ApplyParameterisation turns a raw output net [B, ...] into the score at
// times t [B], computing std(t) in the graph.
func ApplyParameterisation(s sde.SDE, p Parameterisation, net, t *graph.Node) *graph.Node {
	if p == ParamDefault {
		p = DefaultParameterisation(s)
	}
	if p == ParamDirect {
		return net
	}
	_, std := sde.MarginalNodes(s, t)
	bshape := make([]int, len(net.Shape()))
	for i := range bshape {
		bshape[i] = 1
	}
	bshape[0] = std.Shape()[0]
	std = graph.Reshape(std, bshape...)
	if p == ParamNoise {
		return graph.Neg(graph.Div(net, std))
	}
	return graph.Div(net, std)
}
