package bench

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// conv2dCases time the 3x3 convolution of a batch of 64 28x28 images with
// 64 channels, forward and both gradients, with the device's variant and
// (unless Quick) each explicit one. The device's variant and im2col are
// measured against SGEMM 1024 (the same device's matrix speed); reg and
// Winograd against im2col on the same pass, so one run compares the
// variants.
func (r *runner) conv2dCases() []*Case {
	g := kernels.Conv2DGeom{N: 64, C: 64, H: 28, W: 28, O: 64, KH: 3, KW: 3, Pad: [2]int{1, 1}}
	variants := []struct {
		name string
		v    kernels.ConvVariant
	}{{"", kernels.ConvAuto}, {" im2col", kernels.ConvIm2col}, {" reg", kernels.ConvReg}, {" winograd", kernels.ConvWinograd}}
	if r.opt.Quick {
		g.N = 8
		variants = variants[:1]
	}
	shape := fmt.Sprintf("N%d C%d %dx%d O%d 3x3 pad 1", g.N, g.C, g.H, g.W, g.O)
	sgemm := r.sgemmReference()
	im2col := map[string]*Case{} // by pass
	var out []*Case
	for _, v := range variants {
		for _, p := range []struct {
			name string
			rec  func(seq *vk.Sequence, x, w, y *vk.Buffer) error
		}{
			{"forward", func(seq *vk.Sequence, x, w, y *vk.Buffer) error { return r.lib.Conv2DWith(seq, v.v, x, w, nil, y, g) }},
			{"backward data", func(seq *vk.Sequence, x, w, y *vk.Buffer) error {
				return r.lib.Conv2DBackDataWith(seq, v.v, y, w, x, g)
			}},
			{"backward filter", func(seq *vk.Sequence, x, w, y *vk.Buffer) error {
				return r.lib.Conv2DBackFilterWith(seq, v.v, x, y, w, g)
			}},
		} {
			ref := sgemm
			if v.v == kernels.ConvReg || v.v == kernels.ConvWinograd {
				ref = im2col[p.name]
			}
			c := &Case{Op: "conv2d", Shape: shape, Variant: p.name + v.name, FLOPs: g.FLOPs(), Ref: ref,
				prepare: func() (*Replay, error) {
					bufs, err := r.randomBuffers(g.N*g.C*g.H*g.W, g.O*g.C*g.KH*g.KW, g.N*g.O*g.OutH()*g.OutW())
					if err != nil {
						return nil, err
					}
					return r.gpuReplay(func(seq *vk.Sequence) error { return p.rec(seq, bufs[0], bufs[1], bufs[2]) }, bufs...)
				}}
			if v.v == kernels.ConvIm2col {
				im2col[p.name] = c
			}
			out = append(out, c)
		}
	}
	return out
}

// attentionCases time fused multi-head self-attention over 256 positions,
// 64 channels, 4 heads, batch 8, forward and backward, against SGEMM 1024.
// GFLOP/s counts 4 N C L^2 for the forward and 10 N C L^2 (five L x L x d
// products) for the backward; the backward's recomputation of the scores is
// not counted.
func (r *runner) attentionCases() []*Case {
	s := kernels.AttentionShape{N: 8, C: 64, L: 256, Heads: 4}
	if r.opt.Quick {
		s.N = 2
	}
	shape := fmt.Sprintf("N%d C%d L%d heads %d", s.N, s.C, s.L, s.Heads)
	// q, k, v, o, lse, gy, dq, dk, dv, delta: lse and delta hold one value
	// per row.
	lens := []int{s.Size(), s.Size(), s.Size(), s.Size(), s.RowLen(), s.Size(), s.Size(), s.Size(), s.Size(), s.RowLen()}
	ref := r.sgemmReference()
	mk := func(variant string, flops float64, backward bool) *Case {
		return &Case{Op: "attention", Shape: shape, Variant: variant, FLOPs: flops, Ref: ref, prepare: func() (*Replay, error) {
			b, err := r.randomBuffers(lens...)
			if err != nil {
				return nil, err
			}
			q, k, v, o, lse := b[0], b[1], b[2], b[3], b[4]
			forward := func(seq *vk.Sequence) error { return r.lib.AttentionForward(seq, q, k, v, o, lse, s) }
			if !backward {
				return r.gpuReplay(forward, b...)
			}
			// The backward reads the forward's o and lse.
			seq, err := r.record(false, forward)
			if err == nil {
				err = seq.Submit()
				seq.Destroy()
			}
			if err != nil {
				freeAll(b)
				return nil, err
			}
			return r.gpuReplay(func(seq *vk.Sequence) error {
				return r.lib.AttentionBackward(seq, q, k, v, o, lse, b[5], b[6], b[7], b[8], b[9], s)
			}, b...)
		}}
	}
	return []*Case{mk("forward", s.FLOPs(), false), mk("backward", 2.5*s.FLOPs(), true)}
}
