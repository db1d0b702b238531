package graph

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
)

// MatMul returns the matrix product of the last two dimensions of a and b;
// leading (batch) dimensions broadcast, so x[B,T,K] times w[K,N] works.
func MatMul(a, b *Node) *Node { return MatMulT(a, b, false, false) }

// MatMulT is MatMul with a and/or b transposed in their last two
// dimensions first.
func MatMulT(a, b *Node, transA, transB bool) *Node {
	return graphOf(a, b).build(OpMatMul, MatMulAttr{TransA: transA, TransB: transB}, a, b)
}

// matDims returns rows, cols of the (possibly transposed) matrix part of s.
func matDims(s Shape, trans bool) (int, int) {
	r, c := s[len(s)-2], s[len(s)-1]
	if trans {
		return c, r
	}
	return r, c
}

func inferMatMul(attr any, in []Shape) (Shape, error) {
	a, b := in[0], in[1]
	t := attr.(MatMulAttr)
	if len(a) < 2 || len(b) < 2 {
		return nil, fmt.Errorf("operands %v and %v need rank >= 2", a, b)
	}
	m, k := matDims(a, t.TransA)
	k2, n := matDims(b, t.TransB)
	if k != k2 {
		return nil, fmt.Errorf("inner dimensions of %v and %v differ (transA %v, transB %v)", a, b, t.TransA, t.TransB)
	}
	batch, err := BroadcastShapes(a[:len(a)-2], b[:len(b)-2])
	if err != nil {
		return nil, fmt.Errorf("batch dimensions of %v and %v: %w", a, b, err)
	}
	return append(batch, m, n), nil
}

func forwardMatMul(_ *runCtx, nd *Node, in []tensor, out []float64) {
	t := nd.attr.(MatMulAttr)
	a, b := in[0], in[1]
	m, k := matDims(a.shape, t.TransA)
	_, n := matDims(b.shape, t.TransB)
	batch := nd.shape[:len(nd.shape)-2]
	ma := indexMap(a.shape[:len(a.shape)-2], batch)
	mb := indexMap(b.shape[:len(b.shape)-2], batch)
	for bi := range ma {
		copy(out[bi*m*n:], ref.MatMul(t.TransA, t.TransB, m, n, k, a.data[ma[bi]*m*k:], b.data[mb[bi]*k*n:]))
	}
}

func vjpMatMul(nd, g *Node, need []bool) []*Node {
	a, b := nd.inputs[0], nd.inputs[1]
	t := nd.attr.(MatMulAttr)
	var ga, gb *Node
	switch {
	case !t.TransA && !t.TransB: // C = A B
		if need[0] {
			ga = MatMulT(g, b, false, true)
		}
		if need[1] {
			gb = MatMulT(a, g, true, false)
		}
	case t.TransA && !t.TransB: // C = A^T B
		if need[0] {
			ga = MatMulT(b, g, false, true)
		}
		if need[1] {
			gb = MatMulT(a, g, false, false)
		}
	case !t.TransA && t.TransB: // C = A B^T
		if need[0] {
			ga = MatMulT(g, b, false, false)
		}
		if need[1] {
			gb = MatMulT(g, a, true, false)
		}
	default: // C = A^T B^T
		if need[0] {
			ga = MatMulT(b, g, true, true)
		}
		if need[1] {
			gb = MatMulT(g, a, true, true)
		}
	}
	return []*Node{sumTo(ga, a.shape), sumTo(gb, b.shape)}
}

func init() {
	register(OpMatMul, opDef{arity: 2, infer: inferMatMul, forward: forwardMatMul, vjp: vjpMatMul})
}
