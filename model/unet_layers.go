package model

import (
	"math"

	"github.com/sdevk/sdevk/graph"
)

// The layers of score_sde's U-Nets. Each holds the ParamSpecs of one torch
// module under its state_dict name, in the module's registration order, and
// adds its forward pass to a graph. Shapes are torch's: Linear weights are
// [out, in], convolution weights [out, in, k, k], NIN weights [in, out].

// layer is one module of a U-Net's all_modules list.
type layer interface {
	params() []ParamSpec
}

// defaultInit is score_sde's default_init(scale): variance scaling, fan_avg,
// uniform, with scale 0 replaced by 1e-10 (a layer that starts near zero
// but not at zero).
func defaultInit(scale float64) Init {
	if scale == 0 {
		scale = 1e-10
	}
	return Init{Kind: InitGlorotUniform, Scale: scale}
}

// dense is torch's nn.Linear with default_init weights and zero bias.
type dense struct{ w, b ParamSpec }

func newDense(name string, in, out int) dense {
	return dense{
		w: ParamSpec{Name: name + ".weight", Shape: []int{out, in}, Init: defaultInit(1)},
		b: ParamSpec{Name: name + ".bias", Shape: []int{out}, Init: Init{Kind: InitZeros}},
	}
}

func (d dense) params() []ParamSpec { return []ParamSpec{d.w, d.b} }

func (d dense) apply(g *graph.Graph, x *graph.Node) *graph.Node {
	return graph.Add(graph.MatMulT(x, Param(g, d.w), false, true), Param(g, d.b))
}

// conv is a 2-D convolution with bias: score_sde's ddpm_conv3x3 and
// conv1x1, and the weights of up_or_down_sampling.Conv2d.
type conv struct {
	w, b   ParamSpec
	stride int
	pad    int
}

// newConv declares name.weight [out, in, k, k] (default_init(initScale))
// and name.bias [out] (zeros), applied with the given stride and symmetric
// zero padding.
func newConv(name string, in, out, k int, initScale float64, stride, pad int) conv {
	return conv{
		w:      ParamSpec{Name: name + ".weight", Shape: []int{out, in, k, k}, Init: defaultInit(initScale)},
		b:      ParamSpec{Name: name + ".bias", Shape: []int{out}, Init: Init{Kind: InitZeros}},
		stride: stride, pad: pad,
	}
}

// conv3x3 is score_sde's ddpm_conv3x3: stride 1, padding 1.
func conv3x3(name string, in, out int, initScale float64) conv {
	return newConv(name, in, out, 3, initScale, 1, 1)
}

// conv1x1 is score_sde's ddpm_conv1x1.
func conv1x1(name string, in, out int) conv { return newConv(name, in, out, 1, 1, 1, 0) }

func (c conv) params() []ParamSpec { return []ParamSpec{c.w, c.b} }

func (c conv) apply(g *graph.Graph, x *graph.Node) *graph.Node {
	a := graph.Conv2DAttr{Stride: [2]int{c.stride, c.stride}, Pad: [2]int{c.pad, c.pad}}
	return addChannelBias(graph.Conv2D(x, Param(g, c.w), a), Param(g, c.b))
}

// addChannelBias adds b [C] to every position of x [B, C, H, W].
func addChannelBias(x, b *graph.Node) *graph.Node {
	return graph.Add(x, graph.Reshape(b, b.Shape()[0], 1, 1))
}

// groupNorm is torch's nn.GroupNorm with eps 1e-6, weight ones and bias zeros.
type groupNorm struct {
	w, b   ParamSpec
	groups int
}

func newGroupNorm(name string, ch, groups int) groupNorm {
	return groupNorm{
		w:      ParamSpec{Name: name + ".weight", Shape: []int{ch}, Init: Init{Kind: InitOnes}},
		b:      ParamSpec{Name: name + ".bias", Shape: []int{ch}, Init: Init{Kind: InitZeros}},
		groups: groups,
	}
}

func (n groupNorm) params() []ParamSpec { return []ParamSpec{n.w, n.b} }

// groupNormEps is score_sde's GroupNorm epsilon.
const groupNormEps = 1e-6

func (n groupNorm) apply(g *graph.Graph, x *graph.Node) *graph.Node {
	return graph.GroupNorm(x, Param(g, n.w), Param(g, n.b), n.groups, groupNormEps)
}

// nin is score_sde's NIN: a 1x1 convolution stored as W [in, out] and b
// [out], default_init(initScale) (0.1 unless given).
type nin struct{ w, b ParamSpec }

func newNIN(name string, in, out int, initScale float64) nin {
	return nin{
		w: ParamSpec{Name: name + ".W", Shape: []int{in, out}, Init: defaultInit(initScale)},
		b: ParamSpec{Name: name + ".b", Shape: []int{out}, Init: Init{Kind: InitZeros}},
	}
}

// ninInitScale is NIN's default init_scale.
const ninInitScale = 0.1

func (n nin) params() []ParamSpec { return []ParamSpec{n.w, n.b} }

func (n nin) apply(g *graph.Graph, x *graph.Node) *graph.Node {
	in, out := n.w.Shape[0], n.w.Shape[1]
	k := graph.Reshape(graph.Transpose(Param(g, n.w), 1, 0), out, in, 1, 1)
	return addChannelBias(graph.Conv2D(x, k, graph.Conv2DAttr{}), Param(g, n.b))
}

// fourierProjection is score_sde's GaussianFourierProjection: frozen
// frequencies W = scale N(0, 1), features [sin(2 pi x W), cos(2 pi x W)].
type fourierProjection struct{ w ParamSpec }

func newFourierProjection(name string, size int, scale float64) fourierProjection {
	return fourierProjection{w: ParamSpec{Name: name + ".W", Shape: []int{size},
		Init: Init{Kind: InitNormal, Scale: scale}, Frozen: true}}
}

func (f fourierProjection) params() []ParamSpec { return []ParamSpec{f.w} }

func (f fourierProjection) apply(g *graph.Graph, x *graph.Node) *graph.Node {
	return graph.GaussianFourierEmbed(x, Param(g, f.w))
}

// positionalEmbedding is score_sde's get_timestep_embedding(t, dim): the
// transformer sinusoids of the label as given.
func positionalEmbedding(t *graph.Node, dim int) *graph.Node {
	return graph.SinusoidalEmbed(t, dim, 10000)
}

// activation returns score_sde's model.nonlinearity as a graph function.
func activation(name string) func(*graph.Node) *graph.Node {
	switch name {
	case "elu":
		return func(x *graph.Node) *graph.Node { return graph.ELU(x, 1) }
	case "relu":
		return graph.ReLU
	}
	return graph.SiLU
}

// invSqrt2 is skip_rescale's factor.
var invSqrt2 = 1 / math.Sqrt2

// residual returns x + h, divided by sqrt 2 when rescale.
func residual(x, h *graph.Node, rescale bool) *graph.Node {
	s := graph.Add(x, h)
	if rescale {
		return graph.Scale(s, invSqrt2)
	}
	return s
}
