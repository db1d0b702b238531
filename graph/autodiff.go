package graph

import (
	"errors"
	"fmt"
)

// Grad returns the gradient of the scalar loss (a tensor of one element)
// with respect to each node of wrt, as new nodes of the same graph. Since
// gradients are ordinary nodes built from differentiable ops, Grad may be
// applied to them again (Hessian-vector products, v^T (ds/dx) v for sliced
// score matching). A node of wrt that loss does not depend on gets zeros.
func Grad(loss *Node, wrt ...*Node) ([]*Node, error) {
	if loss == nil {
		return nil, errors.New("graph: Grad of nil loss")
	}
	if loss.shape.Size() != 1 {
		return nil, fmt.Errorf("graph: Grad: loss %v is not a scalar; use VJP", loss)
	}
	return VJP([]*Node{loss}, []*Node{OnesLike(loss)}, wrt)
}

// VJP returns the vector-Jacobian products sum_k cotangents[k]^T
// d outputs[k] / d wrt[i] for every i: the reverse-mode derivative with the
// cotangents as seed gradients, each shaped like its output.
func VJP(outputs, cotangents, wrt []*Node) ([]*Node, error) {
	if len(outputs) == 0 || len(outputs) != len(cotangents) {
		return nil, fmt.Errorf("graph: VJP: %d outputs and %d cotangents", len(outputs), len(cotangents))
	}
	g := graphOf(outputs...)
	all := append(append(append([]*Node{}, outputs...), cotangents...), wrt...)
	for _, n := range all {
		if n == nil || n.graph != g || n.id < 0 {
			return nil, fmt.Errorf("graph: VJP: nil, poisoned or foreign node %v", n)
		}
	}
	if g.err != nil {
		return nil, g.err
	}
	for i, o := range outputs {
		if !o.shape.Equal(cotangents[i].shape) {
			return nil, fmt.Errorf("graph: VJP: cotangent %v for output %v", cotangents[i].shape, o)
		}
	}

	// Only nodes that depend on some wrt node carry gradients back.
	last := 0
	for _, o := range outputs {
		last = max(last, o.id)
	}
	dep := make([]bool, last+1)
	for _, w := range wrt {
		if w.id <= last {
			dep[w.id] = true
		}
	}
	for id := 0; id <= last; id++ {
		for _, in := range g.nodes[id].inputs {
			if dep[in.id] {
				dep[id] = true
				break
			}
		}
	}

	ct := make(map[int]*Node)
	accumulate := func(n, d *Node) {
		if c := ct[n.id]; c != nil {
			ct[n.id] = Add(c, d)
		} else {
			ct[n.id] = d
		}
	}
	for i, o := range outputs {
		if dep[o.id] {
			accumulate(o, cotangents[i])
		}
	}
	for id := last; id >= 0; id-- {
		n := g.nodes[id]
		gy := ct[id]
		if gy == nil || len(n.inputs) == 0 {
			continue
		}
		need := make([]bool, len(n.inputs))
		any := false
		for i, in := range n.inputs {
			need[i] = dep[in.id]
			any = any || need[i]
		}
		if !any {
			continue
		}
		def := &registry[n.kind]
		if def.vjp == nil {
			return nil, fmt.Errorf("graph: VJP: op %v has no gradient (node %v)", n.kind, n)
		}
		gs := def.vjp(n, gy, need)
		if g.err != nil {
			return nil, fmt.Errorf("graph: VJP of %v: %w", n, g.err)
		}
		for i, in := range n.inputs {
			if !need[i] || i >= len(gs) || gs[i] == nil {
				continue
			}
			if !gs[i].shape.Equal(in.shape) {
				return nil, fmt.Errorf("graph: VJP of %v: gradient %v for input %v", n, gs[i].shape, in)
			}
			accumulate(in, gs[i])
		}
	}

	res := make([]*Node, len(wrt))
	for i, w := range wrt {
		if c := ct[w.id]; c != nil && w.id <= last {
			res[i] = c
		} else {
			res[i] = ZerosLike(w)
		}
	}
	return res, g.err
}

// JVP returns the Jacobian-vector products sum_i d outputs[k]/d wrt[i] .
// tangents[i], one per output, each shaped like its output. It is computed
// by transposing the (linear) VJP: JVP(u) = d/dc <VJP(c), u>, which costs
// about two reverse passes; there is no separate forward mode yet.
func JVP(outputs, wrt, tangents []*Node) ([]*Node, error) {
	if len(wrt) != len(tangents) || len(outputs) == 0 {
		return nil, fmt.Errorf("graph: JVP: %d outputs, %d wrt and %d tangents", len(outputs), len(wrt), len(tangents))
	}
	cs := make([]*Node, len(outputs))
	for i, o := range outputs {
		if o == nil {
			return nil, errors.New("graph: JVP: nil output")
		}
		cs[i] = ZerosLike(o) // placeholders: the VJP is linear in them
	}
	js, err := VJP(outputs, cs, wrt)
	if err != nil {
		return nil, err
	}
	return VJP(js, tangents, cs)
}
