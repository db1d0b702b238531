package graph

import (
	"errors"
	"fmt"
)

// Program is a graph prepared for execution of a set of outputs, shared by
// all executors: dead nodes are gone, the remaining ops are in execution
// order, and every op's output has a place in one planned arena.
type Program struct {
	Graph   *Graph
	Outputs []*Node
	// Leaves are the Input, Param and Const nodes the outputs depend on;
	// executors bind their values per run (Input), from the parameter store
	// (Param) or once (Const). They live outside the arena.
	Leaves []*Node
	// Steps are the op nodes to execute, in order: each one's inputs are
	// leaves or earlier steps.
	Steps []*Node
	// Plan places every step's output in the arena.
	Plan *Plan
}

// Compile prunes the graph of outputs to the nodes they depend on (dead-node
// elimination) and plans the memory of its intermediates. opts may be nil.
func Compile(opts *PlanOptions, outputs ...*Node) (*Program, error) {
	if len(outputs) == 0 {
		return nil, errors.New("graph: Compile: no outputs")
	}
	g := graphOf(outputs...)
	if g.err != nil {
		return nil, g.err
	}
	last := 0
	for _, o := range outputs {
		if o == nil || o.graph != g || o.id < 0 {
			return nil, fmt.Errorf("graph: Compile: nil, poisoned or foreign output %v", o)
		}
		last = max(last, o.id)
	}
	live := make([]bool, last+1)
	for _, o := range outputs {
		live[o.id] = true
	}
	for id := last; id >= 0; id-- {
		if live[id] {
			for _, in := range g.nodes[id].inputs {
				live[in.id] = true
			}
		}
	}
	p := &Program{Graph: g, Outputs: append([]*Node(nil), outputs...)}
	for id, ok := range live {
		if !ok {
			continue
		}
		n := g.nodes[id]
		if n.IsLeaf() {
			p.Leaves = append(p.Leaves, n)
		} else {
			p.Steps = append(p.Steps, n)
		}
	}
	o := PlanOptions{}
	if opts != nil {
		o = *opts
	}
	p.Plan = PlanMemory(p.Steps, outputs, o)
	return p, nil
}

// IsLeaf reports whether n is an Input, Param or Const: a value bound by
// the executor rather than computed by a kernel.
func (n *Node) IsLeaf() bool {
	return n.kind == OpInput || n.kind == OpParam || n.kind == OpConst
}
