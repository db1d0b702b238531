package model

import "github.com/sdevk/sdevk/graph"

// ncsnppLayout is what declareNCSNpp and forwardNCSNpp both derive from the
// config.
type ncsnppLayout struct {
	c      UNetConfig
	fir    []float64 // the FIR kernel, nil without model.fir
	biggan bool
}

func newNCSNppLayout(c UNetConfig) ncsnppLayout {
	l := ncsnppLayout{c: c, biggan: c.ResblockType == "biggan"}
	if c.FIR {
		l.fir = c.FIRKernel
	}
	return l
}

// declareNCSNpp lists the all_modules of score_sde's models/ncsnpp.py.
func declareNCSNpp(c UNetConfig) []layer {
	l := newNCSNppLayout(c)
	var ms []layer
	name := func() string { return moduleName(len(ms)) }
	nf, temb := c.NF, 4*c.NF
	embedDim := nf
	if c.EmbeddingType == "fourier" {
		ms = append(ms, newFourierProjection(name(), nf, c.FourierScale))
		embedDim = 2 * nf
	}
	if c.Conditional {
		ms = append(ms, newDense(name(), embedDim, temb))
		ms = append(ms, newDense(name(), temb, temb))
	}
	kind := resDDPMpp
	if l.biggan {
		kind = resBigGAN
	}
	block := func(in, out int, up, down bool) *resBlock {
		s := resBlockSpec{kind: kind, in: in, out: out, tembDim: temb, up: up, down: down,
			skipRescale: c.SkipRescale, initScale: c.InitScale, groups: c.groups}
		if up || down {
			s.fir = l.fir
		}
		return newResBlock(name(), s)
	}
	attn := func(ch int) *attnBlock {
		return newAttnBlock(name(), true, ch, c.groups(ch), c.InitScale, c.SkipRescale)
	}
	resampleFIR := func(up bool, in, out int, withConv bool) *resample {
		return newResample(name(), up, in, out, withConv, l.fir)
	}
	channels := c.NumChannels
	inputPyramidCh := channels
	ms = append(ms, conv3x3(name(), channels, nf, 1))
	res := c.resolutions()
	hs := []int{nf}
	in := nf
	for lvl, mult := range c.ChMult {
		for range c.NumResBlocks {
			ms = append(ms, block(in, nf*mult, false, false))
			in = nf * mult
			if c.attnAt(res[lvl]) {
				ms = append(ms, attn(in))
			}
			hs = append(hs, in)
		}
		if lvl == len(c.ChMult)-1 {
			continue
		}
		if l.biggan {
			ms = append(ms, block(in, in, false, true))
		} else {
			ms = append(ms, resampleFIR(false, in, in, c.ResampWithConv))
		}
		switch c.ProgressiveInput {
		case "input_skip":
			ms = append(ms, resampleFIR(false, inputPyramidCh, inputPyramidCh, false))
			ms = append(ms, &combine{conv: conv1x1(name()+".Conv", inputPyramidCh, in), cat: c.ProgressiveCombine == "cat"})
			if c.ProgressiveCombine == "cat" {
				in *= 2
			}
		case "residual":
			ms = append(ms, resampleFIR(false, inputPyramidCh, in, true))
			inputPyramidCh = in
		}
		hs = append(hs, in)
	}
	in = hs[len(hs)-1]
	ms = append(ms, block(in, in, false, false))
	ms = append(ms, attn(in))
	ms = append(ms, block(in, in, false, false))
	pyramidCh := 0
	for lvl := len(c.ChMult) - 1; lvl >= 0; lvl-- {
		for range c.NumResBlocks + 1 {
			skip := hs[len(hs)-1]
			hs = hs[:len(hs)-1]
			ms = append(ms, block(in+skip, nf*c.ChMult[lvl], false, false))
			in = nf * c.ChMult[lvl]
		}
		if c.attnAt(res[lvl]) {
			ms = append(ms, attn(in))
		}
		switch {
		case c.Progressive == "none":
		case lvl == len(c.ChMult)-1 && c.Progressive == "output_skip":
			ms = append(ms, newGroupNorm(name(), in, c.groups(in)))
			ms = append(ms, conv3x3(name(), in, channels, c.InitScale))
			pyramidCh = channels
		case lvl == len(c.ChMult)-1: // residual
			ms = append(ms, newGroupNorm(name(), in, c.groups(in)))
			ms = append(ms, conv3x3(name(), in, in, 1))
			pyramidCh = in
		case c.Progressive == "output_skip":
			ms = append(ms, resampleFIR(true, pyramidCh, pyramidCh, false))
			ms = append(ms, newGroupNorm(name(), in, c.groups(in)))
			ms = append(ms, conv3x3(name(), in, channels, c.InitScale))
			pyramidCh = channels
		default: // residual
			ms = append(ms, resampleFIR(true, pyramidCh, in, true))
			pyramidCh = in
		}
		if lvl != 0 {
			if l.biggan {
				ms = append(ms, block(in, in, true, false))
			} else {
				ms = append(ms, resampleFIR(true, in, in, c.ResampWithConv))
			}
		}
	}
	if c.Progressive != "output_skip" {
		ms = append(ms, newGroupNorm(name(), in, c.groups(in)))
		ms = append(ms, conv3x3(name(), in, channels, c.InitScale))
	}
	return ms
}

// forwardNCSNpp is NCSNpp.forward(x, time_cond) for labels = time_cond
// (logLabels is its log, for the Fourier embedding).
func forwardNCSNpp(f forward, c UNetConfig, m *cursor, x, labels, logLabels *graph.Node) *graph.Node {
	g := f.g
	l := newNCSNppLayout(c)
	x = inputScaling(x, c.Centered) // before the embedding, so the summary counts it with no module
	var temb *graph.Node
	if c.EmbeddingType == "fourier" {
		temb = take[fourierProjection](m).apply(g, logLabels)
	} else {
		temb = positionalEmbedding(labels, c.NF)
	}
	if c.Conditional {
		temb = take[dense](m).apply(g, temb)
		temb = take[dense](m).apply(g, f.act(temb))
	} else {
		temb = nil
	}
	var inputPyramid *graph.Node
	if c.ProgressiveInput != "none" {
		inputPyramid = x
	}
	hs := []*graph.Node{take[conv](m).apply(g, x)}
	for lvl := range c.ChMult {
		for range c.NumResBlocks {
			h := take[*resBlock](m).apply(f, hs[len(hs)-1], temb)
			if c.attnAt(h.Shape()[3]) {
				h = take[*attnBlock](m).apply(f, h)
			}
			hs = append(hs, h)
		}
		if lvl == len(c.ChMult)-1 {
			continue
		}
		var h *graph.Node
		if l.biggan {
			h = take[*resBlock](m).apply(f, hs[len(hs)-1], temb)
		} else {
			h = take[*resample](m).apply(f, hs[len(hs)-1])
		}
		switch c.ProgressiveInput {
		case "input_skip":
			inputPyramid = take[*resample](m).apply(f, inputPyramid)
			h = take[*combine](m).apply(f, inputPyramid, h)
		case "residual":
			inputPyramid = residual(take[*resample](m).apply(f, inputPyramid), h, c.SkipRescale)
			h = inputPyramid
		}
		hs = append(hs, h)
	}
	h := hs[len(hs)-1]
	h = take[*resBlock](m).apply(f, h, temb)
	h = take[*attnBlock](m).apply(f, h)
	h = take[*resBlock](m).apply(f, h, temb)
	var pyramid *graph.Node
	for lvl := len(c.ChMult) - 1; lvl >= 0; lvl-- {
		for range c.NumResBlocks + 1 {
			skip := hs[len(hs)-1]
			hs = hs[:len(hs)-1]
			h = take[*resBlock](m).apply(f, graph.Concat(1, h, skip), temb)
		}
		if c.attnAt(h.Shape()[3]) {
			h = take[*attnBlock](m).apply(f, h)
		}
		switch {
		case c.Progressive == "none":
		case lvl == len(c.ChMult)-1:
			pyramid = f.act(take[groupNorm](m).apply(g, h))
			pyramid = take[conv](m).apply(g, pyramid)
		case c.Progressive == "output_skip":
			pyramid = take[*resample](m).apply(f, pyramid)
			ph := f.act(take[groupNorm](m).apply(g, h))
			pyramid = graph.Add(pyramid, take[conv](m).apply(g, ph))
		default: // residual
			pyramid = residual(take[*resample](m).apply(f, pyramid), h, c.SkipRescale)
			h = pyramid
		}
		if lvl != 0 {
			if l.biggan {
				h = take[*resBlock](m).apply(f, h, temb)
			} else {
				h = take[*resample](m).apply(f, h)
			}
		}
	}
	if c.Progressive == "output_skip" {
		h = pyramid
	} else {
		h = f.act(take[groupNorm](m).apply(g, h))
		h = take[conv](m).apply(g, h)
	}
	if c.ScaleBySigma {
		h = divideBySigma(h, labels)
	}
	return h
}
