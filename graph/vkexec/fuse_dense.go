package vkexec

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// fuseDense records a Dense layer (a 2-D MatMul, the bias row added to it,
// and the activation of the sum, each the only reader of the one before) as
// one SGEMM with a bias-and-activation epilogue, on devices whose SGEMM has
// one (kernels.Lib.GemmEpilogue). Otherwise the sum and the activation are
// two more passes over the product's output: on lavapipe those elementwise
// passes cost as much as the product of a width-128 MLP (a variable so
// tests can compare both ways).
var fuseDense = true

// denseRun is one fused Dense layer: out = act(op(x) op(w) + bias).
type denseRun struct {
	x, w, bias     *graph.Node
	transA, transB bool
	act            kernels.UnaryOp
	gamma          float32
	steps          []*graph.Node // the MatMul, the Add and the activation if any
}

// out is the node whose value the run writes.
func (d *denseRun) out() *graph.Node { return d.steps[len(d.steps)-1] }

// denseActs are the activations the epilogue applies (ELU apart: it has a
// parameter).
var denseActs = map[graph.OpKind]kernels.UnaryOp{
	graph.OpSiLU: kernels.SiLU, graph.OpTanh: kernels.Tanh, graph.OpSigmoid: kernels.Sigmoid,
	graph.OpSoftplus: kernels.Softplus, graph.OpReLU: kernels.ReLU, graph.OpGELU: kernels.GELU,
}

// matchDense finds the program's Dense layers, keyed by each of their steps
// (nil when the device's SGEMM has no epilogue).
func matchDense(gp *graph.Program, lib *kernels.Lib) map[*graph.Node]*denseRun {
	if !fuseDense || !lib.GemmEpilogue() {
		return nil
	}
	readers := map[*graph.Node]int{}
	next := map[*graph.Node]*graph.Node{}
	for _, n := range gp.Steps {
		for _, x := range n.Inputs() {
			readers[x]++
			next[x] = n
		}
	}
	for _, n := range gp.Outputs {
		readers[n]++ // an output is read by the caller: it must be written
	}
	// sole returns n's only reader, nil if it has none or several.
	sole := func(n *graph.Node) *graph.Node {
		if readers[n] != 1 {
			return nil
		}
		return next[n]
	}
	runs := map[*graph.Node]*denseRun{}
	for _, mm := range gp.Steps {
		if mm.Kind() != graph.OpMatMul || len(mm.Inputs()[0].Shape()) != 2 || len(mm.Inputs()[1].Shape()) != 2 {
			continue
		}
		add := sole(mm)
		if add == nil || add.Kind() != graph.OpAdd || !add.Shape().Equal(mm.Shape()) {
			continue
		}
		bias := add.Inputs()[1]
		if bias == mm {
			bias = add.Inputs()[0]
		}
		n := mm.Shape()[1]
		if bs := bias.Shape(); len(bs) == 0 || bs[len(bs)-1] != n || bs.Size() != n {
			continue // not one value per column
		}
		a := mm.Attr().(graph.MatMulAttr)
		d := &denseRun{x: mm.Inputs()[0], w: mm.Inputs()[1], bias: bias, transA: a.TransA, transB: a.TransB,
			act: kernels.Identity, steps: []*graph.Node{mm, add}}
		if act := sole(add); act != nil {
			if op, ok := denseActs[act.Kind()]; ok {
				d.act = op
				d.steps = append(d.steps, act)
			} else if act.Kind() == graph.OpELU {
				d.act, d.gamma = kernels.ELU, float32(act.Attr().(graph.ELUAttr).Alpha)
				d.steps = append(d.steps, act)
			}
		}
		for _, s := range d.steps {
			runs[s] = d
		}
	}
	return runs
}

// record records the run's one kernel.
func (d *denseRun) record(r *recorder, bufs map[*graph.Node]*vk.Buffer) error {
	mm := d.steps[0]
	m, n := mm.Shape()[0], mm.Shape()[1]
	k := d.x.Shape()[1]
	if d.transA {
		k = d.x.Shape()[0]
	}
	out := bufs[d.out()]
	for _, x := range []*graph.Node{d.x, d.w, d.bias} {
		if bufs[x].Overlaps(out) {
			return fmt.Errorf("vkexec: the fused Dense layer's output %v overlaps its input %v", d.out(), x)
		}
	}
	return r.lib.GemmBiasAct(r.seq, d.transA, d.transB, m, n, k, bufs[d.x], bufs[d.w], bufs[d.bias], out, d.act, d.gamma)
}
