package vkexec

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// recorder is what a lowering records with.
type recorder struct {
	lib   *kernels.Lib
	seq   *vk.Sequence
	state *vk.Buffer
	unit  *vk.Buffer
	temps []*vk.Buffer
	// kept are the transformed inputs to keep (keptTransforms), saved
	// their buffers, the program's (conv_save.go).
	kept  map[convKey]int
	saved map[convKey]*vk.Buffer
}

// temp returns a scratch buffer of n floats that lives as long as the program.
func (r *recorder) temp(n int) (*vk.Buffer, error) {
	b, err := r.lib.Dev.NewBufferF32(n)
	if err != nil {
		return nil, err
	}
	r.temps = append(r.temps, b)
	return b, nil
}

// tempsOf returns scratch buffers of the given lengths (temp).
func (r *recorder) tempsOf(ns ...int) ([]*vk.Buffer, error) {
	out := make([]*vk.Buffer, len(ns))
	for i, n := range ns {
		b, err := r.temp(n)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// draw records a random draw of the run's seed and step into out.
func (r *recorder) draw(noise kernels.Noise, stream uint32, out *vk.Buffer, n int) error {
	return r.lib.LinComb(r.seq, out, n, kernels.Coef{Buf: r.unit}, r.state, noise, stream)
}

// lowering records the kernels computing n from its input buffers into out.
type lowering func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error

var lowerings = map[graph.OpKind]lowering{}

// unaryOps and binaryOps are the graph ops that are one kernel op (the
// lowerings and the elementwise fusion share them).
var (
	unaryOps = map[graph.OpKind]kernels.UnaryOp{
		graph.OpSquare: kernels.Square, graph.OpExp: kernels.Exp, graph.OpLog: kernels.Log,
		graph.OpSqrt: kernels.Sqrt, graph.OpTanh: kernels.Tanh, graph.OpSigmoid: kernels.Sigmoid,
		graph.OpSoftplus: kernels.Softplus, graph.OpSiLU: kernels.SiLU, graph.OpGELU: kernels.GELU,
		graph.OpReLU: kernels.ReLU, graph.OpStep: kernels.Step,
	}
	binaryOps = map[graph.OpKind]kernels.BinaryOp{
		graph.OpAdd: kernels.Add, graph.OpSub: kernels.Sub, graph.OpMul: kernels.Mul,
		graph.OpDiv: kernels.Div, graph.OpEqual: kernels.Equal,
	}
)

func init() {
	for kind, op := range unaryOps {
		op := op
		lowerings[kind] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
			return r.lib.Unary(r.seq, op, in[0], out, n.Shape().Size(), 1, 0, 0)
		}
	}
	lowerings[graph.OpAffine] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		a := n.Attr().(graph.AffineAttr)
		return r.lib.Unary(r.seq, kernels.Identity, in[0], out, n.Shape().Size(), float32(a.Scale), float32(a.Shift), 0)
	}
	lowerings[graph.OpELU] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		a := n.Attr().(graph.ELUAttr)
		return r.lib.Unary(r.seq, kernels.ELU, in[0], out, n.Shape().Size(), 1, 0, float32(a.Alpha))
	}
	for kind, op := range binaryOps {
		op := op
		lowerings[kind] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
			return r.lib.Binary(r.seq, op, in[0], in[1], out, n.Inputs()[0].Shape(), n.Inputs()[1].Shape())
		}
	}
	lowerings[graph.OpFill] = func(r *recorder, n *graph.Node, _ []*vk.Buffer, out *vk.Buffer) error {
		return r.lib.Fill(r.seq, out, n.Shape().Size(), float32(n.Attr().(graph.FillAttr).Value))
	}
	lowerings[graph.OpReshape] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		if in[0].Size() != out.Size() {
			return fmt.Errorf("reshape of %d bytes into %d", in[0].Size(), out.Size())
		}
		if in[0].SameRange(out) {
			return nil // planned as the same bytes
		}
		r.seq.Copy(out, in[0])
		return nil
	}
}

func init() {
	for kind, noise := range map[graph.OpKind]kernels.Noise{
		graph.OpRandNormal: kernels.NormalNoise, graph.OpRandUniform: kernels.UniformNoise,
		graph.OpRandRademacher: kernels.RademacherNoise,
	} {
		noise := noise
		lowerings[kind] = func(r *recorder, n *graph.Node, _ []*vk.Buffer, out *vk.Buffer) error {
			return r.draw(noise, n.Attr().(graph.RandAttr).Stream, out, n.Shape().Size())
		}
	}
	lowerings[graph.OpDropout] = lowerDropout
	lowerings[graph.OpReduceSum] = lowerReduce(kernels.ReduceSum, false)
	lowerings[graph.OpReduceMean] = lowerReduce(kernels.ReduceSum, true)
	lowerings[graph.OpReduceMax] = lowerReduce(kernels.ReduceMax, false)
}

// lowerDropout: keep = step(u - rate) for the stream's uniform draw u, then
// x * keep / (1 - rate).
func lowerDropout(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
	a := n.Attr().(graph.DropoutAttr)
	return r.lib.Dropout(r.seq, in[0], out, n.Shape().Size(), r.state, a.Stream, a.Rate)
}

// allButChannels reports whether axes are every axis of shape but axis 1
// (in order), for a shape [N, C, ...] of at least three axes.
func allButChannels(shape graph.Shape, axes []int) bool {
	if len(shape) < 3 || len(axes) != len(shape)-1 || axes[0] != 0 {
		return false
	}
	for i, ax := range axes[1:] {
		if ax != i+2 {
			return false
		}
	}
	return true
}

// lowerReduce reduces over the attribute's axes: one dispatch when they are
// adjacent, else one per run of adjacent axes, last first, through temporaries.
func lowerReduce(op kernels.ReduceOp, mean bool) lowering {
	return func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		a := n.Attr().(graph.ReduceAttr)
		shape := n.Inputs()[0].Shape().Clone()
		scratch, err := r.lib.ReduceScratch()
		if err != nil {
			return err
		}
		count := 1
		for _, ax := range a.Axes {
			count *= shape[ax]
		}
		src := in[0]
		axes := append([]int(nil), a.Axes...)
		if len(axes) == 0 {
			r.seq.Copy(out, src)
			return nil
		}
		if op == kernels.ReduceSum && allButChannels(shape, axes) && r.lib.ChannelSumFits(shape[0], shape[2:].Size()) {
			// A bias, gamma or beta gradient: one dispatch, not two
			// passes through a temporary.
			scale := float32(1)
			if mean {
				scale = float32(1 / float64(count))
			}
			return r.lib.ChannelSum(r.seq, src, out, shape[0], shape[1], shape[2:].Size(), scale)
		}
		for len(axes) > 0 {
			// The last run of adjacent axes.
			hi := axes[len(axes)-1]
			lo := hi
			k := len(axes) - 1
			for k > 0 && axes[k-1] == lo-1 {
				k--
				lo--
			}
			axes = axes[:k]
			outer, axis, inner := 1, 1, 1
			for i, d := range shape {
				switch {
				case i < lo:
					outer *= d
				case i <= hi:
					axis *= d
				default:
					inner *= d
				}
			}
			for i := lo; i <= hi; i++ {
				shape[i] = 1
			}
			dst := out
			if len(axes) > 0 {
				if dst, err = r.temp(outer * inner); err != nil {
					return err
				}
			}
			scale := float32(1)
			if mean && len(axes) == 0 {
				scale = float32(1 / float64(count))
			}
			if err := r.lib.Reduce(r.seq, op, src, dst, scratch, outer, axis, inner, scale); err != nil {
				return err
			}
			src = dst
		}
		return nil
	}
}

func init() {
	lowerings[graph.OpFourierEmbed] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		h := n.Inputs()[1].Shape().Size()
		return r.lib.FourierEmbed(r.seq, in[0], in[1], out, n.Inputs()[0].Shape().Size(), h)
	}
	lowerings[graph.OpAttention] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		s := graph.AttentionShape(n)
		lse, err := r.temp(s.RowLen())
		if err != nil {
			return err
		}
		return r.lib.AttentionForward(r.seq, in[0], in[1], in[2], out, lse, s)
	}
	lowerings[graph.OpAttentionGrad] = lowerAttentionGrad
}

// lowerAttentionGrad recomputes the forward where the backward reads it (its
// output and log-sum-exp are not graph values) and writes dq, dk, dv into
// the stacked [3, ...] output.
func lowerAttentionGrad(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
	s := graph.AttentionShape(n)
	size := s.Size()
	g, err := r.tempsOf(size, size, size, s.RowLen())
	if err != nil {
		return err
	}
	dq, dk, dv, delta := g[0], g[1], g[2], g[3]
	var o, lse *vk.Buffer // read only where the backward reads the forward
	if r.lib.AttentionBackwardReadsForward(s) {
		f, err := r.tempsOf(size, s.RowLen())
		if err != nil {
			return err
		}
		o, lse = f[0], f[1]
		if err := r.lib.AttentionForward(r.seq, in[0], in[1], in[2], o, lse, s); err != nil {
			return err
		}
	}
	if err := r.lib.AttentionBackward(r.seq, in[0], in[1], in[2], o, lse, in[3], dq, dk, dv, delta, s); err != nil {
		return err
	}
	for i, g := range []*vk.Buffer{dq, dk, dv} {
		if err := r.seq.CopyRegion(out, uint64(4*i*size), g, 0, uint64(4*size)); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	lowerings[graph.OpTranspose] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		return r.lib.Transpose(r.seq, in[0], out, n.Inputs()[0].Shape(), n.Attr().(graph.TransposeAttr).Perm)
	}
	lowerings[graph.OpSlice] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		a := n.Attr().(graph.SliceAttr)
		return r.lib.Slice(r.seq, in[0], out, n.Inputs()[0].Shape(), a.Start, a.End)
	}
	lowerings[graph.OpPad] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		a := n.Attr().(graph.PadAttr)
		return r.lib.Pad(r.seq, in[0], out, n.Inputs()[0].Shape(), a.Before, a.After)
	}
	lowerings[graph.OpConcat] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		shapes := make([][]int, len(in))
		for i, x := range n.Inputs() {
			shapes[i] = x.Shape()
		}
		return r.lib.Concat(r.seq, in, out, shapes, n.Attr().(graph.ConcatAttr).Axis)
	}
	lowerings[graph.OpBroadcastTo] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		return r.lib.BroadcastTo(r.seq, in[0], out, n.Inputs()[0].Shape(), n.Shape())
	}
}

func init() {
	lowerings[graph.OpMatMul] = lowerMatMul
	resample := func(up bool) lowering {
		return func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
			s := n.Inputs()[0].Shape()
			h, w := s[len(s)-2], s[len(s)-1]
			planes := s.Size() / (h * w)
			if up {
				return r.lib.Upsample2x(r.seq, in[0], out, planes, h, w)
			}
			return r.lib.AvgPool2x(r.seq, in[0], out, planes, h, w)
		}
	}
	lowerings[graph.OpUpsample2x] = resample(true)
	lowerings[graph.OpAvgPool2x] = resample(false)
}

// lowerMatMul maps a (batched) MatMul to one SGEMM. Leading dimensions of
// each operand must equal the output's or be absent / all 1 (broadcast with
// stride 0).
func lowerMatMul(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
	attr := n.Attr().(graph.MatMulAttr)
	as, bs, os := n.Inputs()[0].Shape(), n.Inputs()[1].Shape(), n.Shape()
	m, nn := os[len(os)-2], os[len(os)-1]
	k := as[len(as)-1]
	if attr.TransA {
		k = as[len(as)-2]
	}
	batch := os.Size() / (m * nn)
	stride := func(s graph.Shape) (int, error) {
		lead := s[:len(s)-2].Size()
		switch {
		case lead == 1:
			return 0, nil
		case lead == batch && len(s) == len(os):
			return s[len(s)-2] * s[len(s)-1], nil
		}
		return 0, fmt.Errorf("batch dimensions %v of an operand do not map to %v without a copy", s[:len(s)-2], os[:len(os)-2])
	}
	sa, err := stride(as)
	if err != nil {
		return err
	}
	sb, err := stride(bs)
	if err != nil {
		return err
	}
	return r.lib.Gemm(r.seq, kernels.GemmAuto, attr.TransA, attr.TransB, m, nn, k, 1, in[0], in[1], 0, out, batch, sa, sb, m*nn)
}

func init() {
	lowerings[graph.OpConv2D] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		return r.conv2D(n, in[0], in[1], nil, out)
	}
	lowerings[graph.OpConv2DBackData] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		return r.lib.Conv2DBackData(r.seq, in[0], in[1], out, graph.Conv2DGeom(n))
	}
	lowerings[graph.OpConv2DBackFilter] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		return r.conv2DBackFilter(n, in[0], in[1], out)
	}
	lowerings[graph.OpGroupNorm] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		s := graph.GroupNormShape(n)
		return r.lib.GroupNorm(r.seq, in[0], nil, nil, out, nil, nil, s.N, s.C, s.HW, s.Groups, float32(s.Eps))
	}
	lowerings[graph.OpGroupNormGrad] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		s := graph.GroupNormShape(n)
		return r.lib.GroupNormBackward(r.seq, in[0], in[1], nil, nil, nil, out, nil, nil, s.N, s.C, s.HW, s.Groups, float32(s.Eps))
	}
}

func init() {
	lowerings[graph.OpUpFirDn2D] = lowerUpFirDn2D
}

// lowerUpFirDn2D uploads the node's kernel taps once, at recording, into a
// buffer that lives as long as the program.
func lowerUpFirDn2D(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
	kern := n.Attr().(graph.UpFirDn2DAttr).Kernel
	taps, err := r.temp(len(kern))
	if err != nil {
		return err
	}
	f := make([]float32, len(kern))
	for i, v := range kern {
		f[i] = float32(v)
	}
	if err := taps.Upload(f); err != nil {
		return err
	}
	return r.lib.UpFirDn2D(r.seq, in[0], taps, out, graph.UpFirDn2DGeom(n))
}
