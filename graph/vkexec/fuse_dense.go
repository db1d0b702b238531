package vkexec

import (
	"fmt"
	"slices"

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

// denseRun is one fused Dense layer: out = act(op(x) op(w) + bias). When x
// is a Concat of slices along its last axis that only the product reads
// (an MLP's [x, temb]), the slices multiply their own rows of w (views of
// it) and add up in out: no copy into the Concat, and each slice keeps the
// vec4 loads that the joined width (2 + 128) would lose.
type denseRun struct {
	mm             *graph.Node
	parts          []*graph.Node // x, or the slices the Concat joins
	w, bias        *graph.Node
	transA, transB bool
	act            kernels.UnaryOp
	gamma          float32
	steps          []*graph.Node // the Concat if split, the MatMul, the Add and the activation if any
}

// out is the node whose value the run writes.
func (d *denseRun) out() *graph.Node { return d.steps[len(d.steps)-1] }

// fusedAct is the activation that step n applies, as the kernels that
// apply one as they store take it (kernels.EpilogueActs, and ELU's alpha
// as gamma); ok is false when n is no such activation.
func fusedAct(n *graph.Node) (op kernels.UnaryOp, gamma float32, ok bool) {
	if n.Kind() == graph.OpELU {
		return kernels.ELU, float32(n.Attr().(graph.ELUAttr).Alpha), true
	}
	op, ok = unaryOps[n.Kind()]
	return op, 0, ok && op != kernels.Identity && slices.Contains(kernels.EpilogueActs, op)
}

// matchDense finds the program's Dense layers, keyed by each of their steps
// (nil when the device's SGEMM has no epilogue).
func matchDense(gp *graph.Program, lib *kernels.Lib) map[*graph.Node]*denseRun {
	if !fuseDense || !lib.GemmEpilogue() {
		return nil
	}
	sole := soleReaders(gp)
	runs := map[*graph.Node]*denseRun{}
	for _, mm := range gp.Steps {
		if mm.Kind() != graph.OpMatMul || len(mm.Inputs()[0].Shape()) != 2 || len(mm.Inputs()[1].Shape()) != 2 {
			continue
		}
		add := sole(mm)
		if add == nil || add.Kind() != graph.OpAdd || !add.Shape().Equal(mm.Shape()) {
			continue
		}
		if runs[add] != nil {
			// The sum of two [1, n] products: the first claimed the Add
			// with this product as its bias, so this one is recorded on
			// its own (a second claim would drop the first run).
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
		d := &denseRun{mm: mm, parts: mm.Inputs()[:1], w: mm.Inputs()[1], bias: bias, transA: a.TransA, transB: a.TransB,
			act: kernels.Identity, steps: []*graph.Node{mm, add}}
		if cat := mm.Inputs()[0]; sole(cat) == mm && splitFits(cat, a, n, int(lib.Dev.ViewAlign())) {
			d.parts, d.steps = cat.Inputs(), []*graph.Node{cat, mm, add}
		}
		if act := sole(add); act != nil {
			if op, gamma, ok := fusedAct(act); ok {
				d.act, d.gamma = op, gamma
				d.steps = append(d.steps, act)
			}
		}
		for _, s := range d.steps {
			runs[s] = d
		}
	}
	return runs
}

// splitFits reports whether x, the left operand of a product with n
// columns and attributes a, is a Concat along its last axis whose slices
// can multiply views of the right operand: the rows of each slice's view
// start at a multiple of align bytes.
func splitFits(x *graph.Node, a graph.MatMulAttr, n, align int) bool {
	if x.Kind() != graph.OpConcat || a.TransA || a.TransB || x.Attr().(graph.ConcatAttr).Axis != 1 {
		return false
	}
	rows := 0
	for _, part := range x.Inputs() {
		if 4*rows*n%align != 0 {
			return false
		}
		rows += part.Shape()[1]
	}
	return true
}

// record records the run: a product per slice of the input, the last with
// the epilogue.
func (d *denseRun) record(r *recorder, bufs map[*graph.Node]*vk.Buffer) error {
	m, n := d.mm.Shape()[0], d.mm.Shape()[1]
	out := bufs[d.out()]
	for _, x := range append([]*graph.Node{d.w, d.bias}, d.parts...) {
		if bufs[x].Overlaps(out) {
			return fmt.Errorf("vkexec: the fused Dense layer's output %v overlaps its input %v", d.out(), x)
		}
	}
	rows := 0
	for i, part := range d.parts {
		k := part.Shape()[1]
		if d.transA {
			k = part.Shape()[0]
		}
		w := bufs[d.w]
		if len(d.parts) > 1 {
			var err error
			if w, err = w.View(uint64(4*rows*n), uint64(4*k*n)); err != nil {
				return err
			}
		}
		rows += k
		beta := float32(min(i, 1))
		if i < len(d.parts)-1 {
			if err := r.lib.Gemm(r.seq, kernels.GemmAuto, false, false, m, n, k, 1, bufs[part], w, beta, out, 1, 0, 0, 0); err != nil {
				return err
			}
			continue
		}
		if err := r.lib.GemmBiasAct(r.seq, d.transA, d.transB, m, n, k, bufs[part], w, bufs[d.bias], beta, out, d.act, d.gamma); err != nil {
			return err
		}
	}
	return nil
}
