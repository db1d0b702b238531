package model

import "github.com/sdevk/sdevk/graph"

// declareDDPM lists the all_modules of score_sde's models/ddpm.py: the two
// time-embedding Dense layers, the input convolution, the down path
// (residual blocks, attention, Downsample), the middle (block, attention,
// block), the up path over the skip connections (blocks, attention,
// Upsample), and the output GroupNorm and convolution.
func declareDDPM(c UNetConfig) []layer {
	var ms []layer
	name := func() string { return moduleName(len(ms)) }
	nf, temb := c.NF, 4*c.NF
	block := func(in, out int) *resBlock {
		return newResBlock(name(), resBlockSpec{kind: resDDPM, in: in, out: out, tembDim: temb, groups: c.groups})
	}
	attn := func(ch int) *attnBlock { return newAttnBlock(name(), false, ch, c.groups(ch), 0, false) }
	ms = append(ms, newDense(name(), nf, temb))
	ms = append(ms, newDense(name(), temb, temb))
	ms = append(ms, conv3x3(name(), c.NumChannels, nf, 1))
	res := c.resolutions()
	hs := []int{nf}
	in := nf
	for lvl, mult := range c.ChMult {
		for range c.NumResBlocks {
			ms = append(ms, block(in, nf*mult))
			in = nf * mult
			if c.attnAt(res[lvl]) {
				ms = append(ms, attn(in))
			}
			hs = append(hs, in)
		}
		if lvl != len(c.ChMult)-1 {
			ms = append(ms, newResample(name(), false, in, in, c.ResampWithConv, nil))
			hs = append(hs, in)
		}
	}
	ms = append(ms, block(in, in))
	ms = append(ms, attn(in))
	ms = append(ms, block(in, in))
	for lvl := len(c.ChMult) - 1; lvl >= 0; lvl-- {
		for range c.NumResBlocks + 1 {
			skip := hs[len(hs)-1]
			hs = hs[:len(hs)-1]
			ms = append(ms, block(in+skip, nf*c.ChMult[lvl]))
			in = nf * c.ChMult[lvl]
		}
		if c.attnAt(res[lvl]) {
			ms = append(ms, attn(in))
		}
		if lvl != 0 {
			ms = append(ms, newResample(name(), true, in, in, c.ResampWithConv, nil))
		}
	}
	ms = append(ms, newGroupNorm(name(), in, c.groups(in)))
	ms = append(ms, conv3x3(name(), in, c.NumChannels, 0))
	return ms
}

// forwardDDPM is DDPM.forward(x, labels).
func forwardDDPM(f forward, c UNetConfig, m *cursor, x, labels *graph.Node) *graph.Node {
	g := f.g
	x = inputScaling(x, c.Centered) // before the embedding, so the summary counts it with no module
	temb := positionalEmbedding(labels, c.NF)
	temb = take[dense](m).apply(g, temb)
	temb = take[dense](m).apply(g, f.act(temb))
	hs := []*graph.Node{take[conv](m).apply(g, x)}
	for lvl := range c.ChMult {
		for range c.NumResBlocks {
			h := take[*resBlock](m).apply(f, hs[len(hs)-1], temb)
			if c.attnAt(h.Shape()[3]) {
				h = take[*attnBlock](m).apply(f, h)
			}
			hs = append(hs, h)
		}
		if lvl != len(c.ChMult)-1 {
			hs = append(hs, take[*resample](m).apply(f, hs[len(hs)-1]))
		}
	}
	h := hs[len(hs)-1]
	h = take[*resBlock](m).apply(f, h, temb)
	h = take[*attnBlock](m).apply(f, h)
	h = take[*resBlock](m).apply(f, h, temb)
	for lvl := len(c.ChMult) - 1; lvl >= 0; lvl-- {
		for range c.NumResBlocks + 1 {
			skip := hs[len(hs)-1]
			hs = hs[:len(hs)-1]
			h = take[*resBlock](m).apply(f, graph.Concat(1, h, skip), temb)
		}
		if c.attnAt(h.Shape()[3]) {
			h = take[*attnBlock](m).apply(f, h)
		}
		if lvl != 0 {
			h = take[*resample](m).apply(f, h)
		}
	}
	h = f.act(take[groupNorm](m).apply(g, h))
	return take[conv](m).apply(g, h)
}
