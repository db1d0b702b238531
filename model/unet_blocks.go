package model

import (
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/rng"
)

// forward carries what every block's forward pass needs.
type forward struct {
	g   *graph.Graph
	act func(*graph.Node) *graph.Node
	// dropout is the rate while training, 0 for evaluation (score_sde's
	// train=False).
	dropout float64
}

// drop applies dropout with a stream of its own per block; the run's seed
// and step vary the mask from one training step to the next.
func (f forward) drop(x *graph.Node, block string) *graph.Node {
	if f.dropout == 0 {
		return x
	}
	return graph.Dropout(x, f.dropout, rng.ParamStream(block+".Dropout_0"))
}

// Residual block kinds.
const (
	resDDPM   = iota // layers.ResnetBlockDDPM (ddpm model)
	resDDPMpp        // layerspp.ResnetBlockDDPMpp (ncsnpp, resblock_type ddpm)
	resBigGAN        // layerspp.ResnetBlockBigGANpp (ncsnpp, resblock_type biggan)
)

// resBlock is one of score_sde's residual blocks: GroupNorm, act, (resample),
// conv, + Dense(act(temb)), GroupNorm, act, dropout, conv, plus the
// (projected) input.
type resBlock struct {
	name         string
	kind         int
	gn0, gn1     groupNorm
	conv0, conv1 conv
	dense        dense
	skip         layer // nil, nin (NIN_0) or conv (Conv_2)
	up, down     bool  // BigGAN resampling blocks
	fir          []float64
	skipRescale  bool
}

// resBlockSpec sizes a residual block.
type resBlockSpec struct {
	kind        int
	in, out     int // out 0: in
	tembDim     int
	up, down    bool
	fir         []float64 // FIR kernel when resampling with FIR; nil: naive
	skipRescale bool
	initScale   float64 // of Conv_1 (ncsnpp; ddpm uses 0)
	groups      func(int) int
}

func newResBlock(name string, s resBlockSpec) *resBlock {
	out := s.out
	if out == 0 {
		out = s.in
	}
	b := &resBlock{name: name, kind: s.kind, up: s.up, down: s.down, fir: s.fir, skipRescale: s.skipRescale}
	b.gn0 = newGroupNorm(name+".GroupNorm_0", s.in, s.groups(s.in))
	b.gn1 = newGroupNorm(name+".GroupNorm_1", out, s.groups(out))
	b.conv0 = conv3x3(name+".Conv_0", s.in, out, 1)
	b.conv1 = conv3x3(name+".Conv_1", out, out, s.initScale)
	b.dense = newDense(name+".Dense_0", s.tembDim, out)
	switch {
	case s.kind == resBigGAN && (s.in != out || s.up || s.down):
		b.skip = conv1x1(name+".Conv_2", s.in, out)
	case s.kind != resBigGAN && s.in != out:
		b.skip = newNIN(name+".NIN_0", s.in, out, ninInitScale)
	}
	return b
}

// params follows the torch modules' attribute order, the same in all three
// blocks.
func (b *resBlock) params() []ParamSpec {
	ls := []layer{b.gn0, b.conv0, b.dense, b.gn1, b.conv1}
	if b.skip != nil {
		ls = append(ls, b.skip)
	}
	return concatParams(ls...)
}

func (b *resBlock) apply(f forward, x, temb *graph.Node) *graph.Node {
	h := f.act(b.gn0.apply(f.g, x))
	switch {
	case b.up:
		h, x = upsample2D(h, b.fir), upsample2D(x, b.fir)
	case b.down:
		h, x = downsample2D(h, b.fir), downsample2D(x, b.fir)
	}
	h = b.conv0.apply(f.g, h)
	if temb != nil {
		e := b.dense.apply(f.g, f.act(temb))
		h = graph.Add(h, graph.Reshape(e, e.Shape()[0], e.Shape()[1], 1, 1))
	}
	h = f.drop(f.act(b.gn1.apply(f.g, h)), b.name)
	h = b.conv1.apply(f.g, h)
	switch s := b.skip.(type) {
	case nin:
		x = s.apply(f.g, x)
	case conv:
		x = s.apply(f.g, x)
	}
	return residual(x, h, b.skipRescale && b.kind != resDDPM)
}

// attnBlock is score_sde's AttnBlock / AttnBlockpp: GroupNorm, one-head
// self-attention over the H*W positions with NIN projections, plus the
// input.
type attnBlock struct {
	pp          bool // AttnBlockpp (ncsnpp), else AttnBlock (ddpm)
	gn          groupNorm
	q, k, v, o  nin
	skipRescale bool
}

func newAttnBlock(name string, pp bool, ch, groups int, initScale float64, skipRescale bool) *attnBlock {
	return &attnBlock{pp: pp,
		gn: newGroupNorm(name+".GroupNorm_0", ch, groups),
		q:  newNIN(name+".NIN_0", ch, ch, ninInitScale),
		k:  newNIN(name+".NIN_1", ch, ch, ninInitScale),
		v:  newNIN(name+".NIN_2", ch, ch, ninInitScale),
		o:  newNIN(name+".NIN_3", ch, ch, initScale), skipRescale: skipRescale,
	}
}

func (a *attnBlock) params() []ParamSpec { return concatParams(a.gn, a.q, a.k, a.v, a.o) }

func (a *attnBlock) apply(f forward, x *graph.Node) *graph.Node {
	h := a.gn.apply(f.g, x)
	att := graph.Attention(a.q.apply(f.g, h), a.k.apply(f.g, h), a.v.apply(f.g, h), 1)
	return residual(x, a.o.apply(f.g, att), a.skipRescale)
}

// resample is score_sde's Upsample or Downsample module (layers and
// layerspp): nearest / average with an optional 3x3 convolution (Conv_0),
// or FIR resampling with an optional fused convolution (Conv2d_0).
type resample struct {
	up   bool
	conv *conv     // nil: no convolution
	fir  []float64 // nil: nearest / average
}

func newResample(name string, up bool, in, out int, withConv bool, fir []float64) *resample {
	r := &resample{up: up, fir: fir}
	if !withConv {
		return r
	}
	var c conv
	switch {
	case fir != nil:
		// up_or_down_sampling.Conv2d: the stride and padding live in the
		// FIR functions.
		c = newConv(name+".Conv2d_0", in, out, 3, 1, 1, 0)
	case up:
		c = conv3x3(name+".Conv_0", in, out, 1)
	default:
		c = newConv(name+".Conv_0", in, out, 3, 1, 2, 0)
	}
	r.conv = &c
	return r
}

func (r *resample) params() []ParamSpec {
	if r.conv == nil {
		return nil
	}
	return r.conv.params()
}

func (r *resample) apply(f forward, x *graph.Node) *graph.Node {
	switch {
	case r.conv == nil && r.up:
		return upsample2D(x, r.fir)
	case r.conv == nil:
		return downsample2D(x, r.fir)
	case r.fir != nil && r.up:
		return addChannelBias(firUpsampleConv2D(x, Param(f.g, r.conv.w), r.fir), Param(f.g, r.conv.b))
	case r.fir != nil:
		return addChannelBias(firConvDownsample2D(x, Param(f.g, r.conv.w), r.fir), Param(f.g, r.conv.b))
	case r.up:
		return r.conv.apply(f.g, graph.Upsample2x(x))
	default:
		// TensorFlow's SAME padding of a stride-2 convolution: one zero row
		// and column after the image.
		return r.conv.apply(f.g, graph.Pad(x, []int{0, 0, 0, 0}, []int{0, 0, 1, 1}))
	}
}

// upsample2D doubles the image size: nearest neighbour, or FIR with kernel
// fir when given (up_or_down_sampling.upsample_2d).
func upsample2D(x *graph.Node, fir []float64) *graph.Node {
	if fir == nil {
		return graph.Upsample2x(x)
	}
	return firUpsample2D(x, fir)
}

// downsample2D halves the image size: 2x2 average, or FIR with kernel fir.
func downsample2D(x *graph.Node, fir []float64) *graph.Node {
	if fir == nil {
		return graph.AvgPool2x(x)
	}
	return firDownsample2D(x, fir)
}

// combine is layerspp.Combine: a 1x1 convolution of the input pyramid,
// concatenated with or added to h.
type combine struct {
	conv conv
	cat  bool
}

func (c *combine) params() []ParamSpec { return c.conv.params() }

func (c *combine) apply(f forward, x, h *graph.Node) *graph.Node {
	y := c.conv.apply(f.g, x)
	if c.cat {
		return graph.Concat(1, y, h)
	}
	return graph.Add(y, h)
}

// concatParams lists the params of ls in order.
func concatParams(ls ...layer) []ParamSpec {
	var ps []ParamSpec
	for _, l := range ls {
		ps = append(ps, l.params()...)
	}
	return ps
}
