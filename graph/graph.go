package graph

import (
	"errors"
	"fmt"
)

// Graph is a directed acyclic graph of tensor operations. Nodes are added by
// the builder functions (Add, MatMul, Conv2D, ...) and by Grad and VJP; a
// node's inputs always precede it, so node IDs are a topological order.
//
// Builders do not return errors. The first error (a shape mismatch, say) is
// recorded on the Graph and every later builder returns a poisoned node; check
// Err once after building. Grad, VJP, Compile and the executors refuse a
// graph with an error.
type Graph struct {
	nodes  []*Node
	err    error
	names  map[string]*Node // Input and Param nodes by name
	poison *Node
}

// New returns an empty graph.
func New() *Graph { return &Graph{names: map[string]*Node{}} }

// Err returns the first error recorded while building g, or nil.
func (g *Graph) Err() error { return g.err }

// Fail records err as the graph's error unless it has one, for builders
// outside this package (a model given input of the wrong shape): like a
// shape error, it makes Grad, Compile and the executors refuse the graph.
func (g *Graph) Fail(err error) { g.setErr(err) }

// Nodes returns the nodes of g in topological order. The slice must not be
// modified.
func (g *Graph) Nodes() []*Node { return g.nodes }

// Lookup returns the Input or Param node called name, or nil.
func (g *Graph) Lookup(name string) *Node { return g.names[name] }

// Params returns the Param nodes of g in creation order.
func (g *Graph) Params() []*Node {
	var ps []*Node
	for _, n := range g.nodes {
		if n.kind == OpParam {
			ps = append(ps, n)
		}
	}
	return ps
}

// Node is one tensor-valued vertex of a Graph: a leaf (Input, Param, Const)
// or an operation on earlier nodes. Nodes are immutable once built.
type Node struct {
	graph  *Graph
	id     int
	kind   OpKind
	attr   any
	inputs []*Node
	shape  Shape
	name   string
}

// Graph returns the graph n belongs to.
func (n *Node) Graph() *Graph { return n.graph }

// ID returns the position of n in its graph's topological order.
func (n *Node) ID() int { return n.id }

// Kind returns the operation computed by n.
func (n *Node) Kind() OpKind { return n.kind }

// Attr returns the attributes of n: a value of the attribute struct of its
// kind (see OpKind), or nil for kinds without attributes.
func (n *Node) Attr() any { return n.attr }

// Inputs returns the operands of n. The slice must not be modified.
func (n *Node) Inputs() []*Node { return n.inputs }

// Shape returns the shape of the value of n.
func (n *Node) Shape() Shape { return n.shape }

// Name returns the name of an Input or Param node, or "".
func (n *Node) Name() string { return n.name }

// String describes n for error messages, e.g. "#12 MatMul[8 16]".
func (n *Node) String() string {
	if n.name != "" {
		return fmt.Sprintf("#%d %v %q%v", n.id, n.kind, n.name, n.shape)
	}
	return fmt.Sprintf("#%d %v%v", n.id, n.kind, n.shape)
}

func (g *Graph) setErr(err error) {
	if g.err == nil {
		g.err = err
	}
}

func (g *Graph) poisoned() *Node {
	if g.poison == nil {
		g.poison = &Node{graph: g, id: -1, kind: OpInvalid, shape: Shape{}}
	}
	return g.poison
}

// graphOf returns the graph of the first non-nil node.
func graphOf(ns ...*Node) *Graph {
	for _, n := range ns {
		if n != nil {
			return n.graph
		}
	}
	panic("graph: builder called with only nil nodes")
}

// build adds a node of the given kind after inferring its shape. It records
// the first error on g and returns a poisoned node on failure.
func (g *Graph) build(kind OpKind, attr any, inputs ...*Node) *Node {
	if g.err != nil {
		return g.poisoned()
	}
	shapes := make([]Shape, len(inputs))
	for i, in := range inputs {
		switch {
		case in == nil:
			g.setErr(fmt.Errorf("graph: %v: input %d is nil", kind, i))
			return g.poisoned()
		case in.graph != g:
			g.setErr(fmt.Errorf("graph: %v: input %d (%v) belongs to another graph", kind, i, in))
			return g.poisoned()
		}
		shapes[i] = in.shape
	}
	def := &registry[kind]
	if def.infer == nil {
		g.setErr(fmt.Errorf("graph: op %v is not registered", kind))
		return g.poisoned()
	}
	if def.arity >= 0 && len(inputs) != def.arity {
		g.setErr(fmt.Errorf("graph: %v takes %d inputs, got %d", kind, def.arity, len(inputs)))
		return g.poisoned()
	}
	shape, err := def.infer(attr, shapes)
	if err == nil && !shape.valid() {
		err = fmt.Errorf("invalid output shape %v", shape)
	}
	if err != nil {
		g.setErr(fmt.Errorf("graph: %v: %w", kind, err))
		return g.poisoned()
	}
	n := &Node{graph: g, id: len(g.nodes), kind: kind, attr: attr, inputs: inputs, shape: shape}
	g.nodes = append(g.nodes, n)
	return n
}

func (g *Graph) leaf(kind OpKind, name string, attr any, shape Shape) *Node {
	if g.err != nil {
		return g.poisoned()
	}
	if !shape.valid() {
		g.setErr(fmt.Errorf("graph: %v %q: invalid shape %v", kind, name, shape))
		return g.poisoned()
	}
	if name != "" {
		if _, dup := g.names[name]; dup {
			g.setErr(fmt.Errorf("graph: %v: name %q already used", kind, name))
			return g.poisoned()
		}
	}
	n := &Node{graph: g, id: len(g.nodes), kind: kind, attr: attr, shape: shape.Clone(), name: name}
	g.nodes = append(g.nodes, n)
	if name != "" {
		g.names[name] = n
	}
	return n
}

// Input adds a value fed on every run, such as a batch of data or a per-run
// scalar (shape [] or [1]) like the learning rate or the time t.
func (g *Graph) Input(name string, shape ...int) *Node {
	if name == "" {
		g.setErr(errors.New("graph: Input needs a name"))
		return g.poisoned()
	}
	return g.leaf(OpInput, name, nil, shape)
}

// Param adds a trainable, persisted tensor. Executors read its value from
// their parameter store under name.
func (g *Graph) Param(name string, shape ...int) *Node {
	if name == "" {
		g.setErr(errors.New("graph: Param needs a name"))
		return g.poisoned()
	}
	return g.leaf(OpParam, name, nil, shape)
}

// Const adds a constant tensor holding a copy of values (row-major).
func (g *Graph) Const(values []float64, shape ...int) *Node {
	if len(values) != Shape(shape).Size() {
		g.setErr(fmt.Errorf("graph: Const: %d values for shape %v", len(values), Shape(shape)))
		return g.poisoned()
	}
	return g.leaf(OpConst, "", ConstAttr{Values: append([]float64(nil), values...)}, shape)
}

// Scalar adds a constant scalar (shape []).
func (g *Graph) Scalar(v float64) *Node { return g.Const([]float64{v}) }

// Fill adds a tensor of the given shape with every element equal to v.
func (g *Graph) Fill(v float64, shape ...int) *Node {
	return g.build(OpFill, FillAttr{Value: v, Shape: Shape(shape).Clone()})
}

// OnesLike returns a tensor of ones shaped like x.
func OnesLike(x *Node) *Node { return x.graph.Fill(1, x.shape...) }

// ZerosLike returns a tensor of zeros shaped like x.
func ZerosLike(x *Node) *Node { return x.graph.Fill(0, x.shape...) }
