package vkexec

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/kernels"
	"github.com/sdevk/sdevk/vk"
)

// recorder is what a lowering records with.
type recorder struct {
	lib   *kernels.Lib
	seq   *vk.Sequence
	state *vk.Buffer
}

// lowering records the kernels computing n from its input buffers into out.
type lowering func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error

var lowerings = map[graph.OpKind]lowering{}

func init() {
	unary := map[graph.OpKind]kernels.UnaryOp{
		graph.OpSquare: kernels.Square, graph.OpExp: kernels.Exp, graph.OpLog: kernels.Log,
		graph.OpSqrt: kernels.Sqrt, graph.OpTanh: kernels.Tanh, graph.OpSigmoid: kernels.Sigmoid,
		graph.OpSoftplus: kernels.Softplus, graph.OpSiLU: kernels.SiLU, graph.OpGELU: kernels.GELU,
		graph.OpReLU: kernels.ReLU, graph.OpStep: kernels.Step,
	}
	for kind, op := range unary {
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
	binary := map[graph.OpKind]kernels.BinaryOp{
		graph.OpAdd: kernels.Add, graph.OpSub: kernels.Sub, graph.OpMul: kernels.Mul,
		graph.OpDiv: kernels.Div, graph.OpEqual: kernels.Equal,
	}
	for kind, op := range binary {
		op := op
		lowerings[kind] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
			a, b := n.Inputs()[0].Shape(), n.Inputs()[1].Shape()
			return r.lib.Binary(r.seq, op, in[0], in[1], out, a, b)
		}
	}
	lowerings[graph.OpFill] = func(r *recorder, n *graph.Node, _ []*vk.Buffer, out *vk.Buffer) error {
		return r.lib.Fill(r.seq, out, n.Shape().Size(), float32(n.Attr().(graph.FillAttr).Value))
	}
	lowerings[graph.OpReshape] = func(r *recorder, n *graph.Node, in []*vk.Buffer, out *vk.Buffer) error {
		if in[0].Size() != out.Size() {
			return fmt.Errorf("reshape of %d bytes into %d", in[0].Size(), out.Size())
		}
		r.seq.Copy(out, in[0])
		return nil
	}
}
