package graph

import (
	"fmt"
	"math"
	"strings"
)

// Store holds parameter values by Param name, row-major. A training loop
// updates it in place between runs.
type Store map[string][]float64

// Feeds gives the values of Input nodes for one run, row-major.
type Feeds map[*Node][]float64

// Reference is the pure-Go executor: it runs any graph with the float64
// reference kernels of the ops, deterministically. It is the test oracle
// for whole graphs and a slow fallback device.
//
// Intermediates live in one float64 arena laid out by the Program's Plan
// (element offset = byte offset / 4), exactly as a device executor would
// place them, so that a planning bug shows up as wrong values here. The
// arena starts as NaN.
type Reference struct {
	Params Store
	// Seed and Step key the random nodes (with each node's stream).
	Seed uint64
	Step uint32
	// Float32 rounds every node's value to float32, mimicking a device.
	Float32 bool
	// Unplanned gives every intermediate its own buffer (for tests).
	Unplanned bool

	cache map[string]*Program
}

// NewReference returns a reference executor with an empty parameter store.
func NewReference() *Reference { return &Reference{Params: Store{}} }

// Run computes outputs, compiling (and caching) their program on first use.
func (r *Reference) Run(feeds Feeds, outputs ...*Node) ([][]float64, error) {
	if len(outputs) == 0 {
		return nil, nil
	}
	g := graphOf(outputs...)
	if g.err != nil {
		return nil, g.err
	}
	var key strings.Builder
	fmt.Fprintf(&key, "%p", g)
	for _, o := range outputs {
		fmt.Fprintf(&key, ",%d", o.id)
	}
	p := r.cache[key.String()]
	if p == nil {
		var err error
		if p, err = Compile(nil, outputs...); err != nil {
			return nil, err
		}
		if r.cache == nil {
			r.cache = map[string]*Program{}
		}
		r.cache[key.String()] = p
	}
	return r.RunProgram(p, feeds)
}

// RunProgram executes a compiled program and returns copies of its outputs.
func (r *Reference) RunProgram(p *Program, feeds Feeds) ([][]float64, error) {
	vals := make(map[*Node]tensor, len(p.Leaves)+len(p.Steps))
	for _, n := range p.Leaves {
		var v []float64
		switch n.kind {
		case OpInput:
			v = feeds[n]
			if v == nil {
				return nil, fmt.Errorf("graph: no feed for input %v", n)
			}
		case OpParam:
			v = r.Params[n.name]
			if v == nil {
				return nil, fmt.Errorf("graph: no value for param %v", n)
			}
		case OpConst:
			v = n.attr.(ConstAttr).Values
		}
		if len(v) != n.shape.Size() {
			return nil, fmt.Errorf("graph: %d values for %v", len(v), n)
		}
		if r.Float32 {
			v = round32(append([]float64(nil), v...))
		}
		vals[n] = tensor{n.shape, v}
	}
	arena := make([]float64, p.Plan.ArenaBytes/4)
	if r.Unplanned {
		arena = nil
	}
	for i := range arena {
		arena[i] = math.NaN()
	}
	c := &runCtx{seed: r.Seed, step: r.Step}
	in := make([]tensor, 0, 4)
	for i, n := range p.Steps {
		in = in[:0]
		for _, x := range n.inputs {
			in = append(in, vals[x])
		}
		var out []float64
		if r.Unplanned {
			out = make([]float64, n.shape.Size())
		} else {
			b := p.Plan.Buffers[i]
			out = arena[b.Offset/4 : b.Offset/4+n.shape.Size()]
		}
		registry[n.kind].forward(c, n, in, out)
		if r.Float32 {
			round32(out)
		}
		vals[n] = tensor{n.shape, out}
	}
	res := make([][]float64, len(p.Outputs))
	for i, o := range p.Outputs {
		res[i] = append([]float64(nil), vals[o].data...)
	}
	return res, nil
}

func round32(v []float64) []float64 {
	for i, x := range v {
		v[i] = float64(float32(x))
	}
	return v
}
