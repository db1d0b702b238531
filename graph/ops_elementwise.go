package graph

import (
	"math"

	"github.com/sdevk/sdevk/graph/ref"
)

// Binary elementwise ops broadcast their operands with NumPy rules.

// Add returns a + b.
func Add(a, b *Node) *Node { return graphOf(a, b).build(OpAdd, nil, a, b) }

// Sub returns a - b.
func Sub(a, b *Node) *Node { return graphOf(a, b).build(OpSub, nil, a, b) }

// Mul returns a * b elementwise.
func Mul(a, b *Node) *Node { return graphOf(a, b).build(OpMul, nil, a, b) }

// Div returns a / b elementwise.
func Div(a, b *Node) *Node { return graphOf(a, b).build(OpDiv, nil, a, b) }

// Equal returns 1 where a == b and 0 elsewhere. It has no gradient.
func Equal(a, b *Node) *Node { return graphOf(a, b).build(OpEqual, nil, a, b) }

// Affine returns scale*x + shift.
func Affine(x *Node, scale, shift float64) *Node {
	return x.graph.build(OpAffine, AffineAttr{Scale: scale, Shift: shift}, x)
}

// Scale returns c*x.
func Scale(x *Node, c float64) *Node { return Affine(x, c, 0) }

// AddScalar returns x + c.
func AddScalar(x *Node, c float64) *Node { return Affine(x, 1, c) }

// Neg returns -x.
func Neg(x *Node) *Node { return Affine(x, -1, 0) }

// OneMinus returns 1 - x.
func OneMinus(x *Node) *Node { return Affine(x, -1, 1) }

func unary(k OpKind, x *Node) *Node { return x.graph.build(k, nil, x) }

// Square returns x*x.
func Square(x *Node) *Node { return unary(OpSquare, x) }

// Exp returns e^x.
func Exp(x *Node) *Node { return unary(OpExp, x) }

// Log returns the natural logarithm of x.
func Log(x *Node) *Node { return unary(OpLog, x) }

// Sqrt returns the square root of x.
func Sqrt(x *Node) *Node { return unary(OpSqrt, x) }

// Tanh returns tanh(x).
func Tanh(x *Node) *Node { return unary(OpTanh, x) }

// Sigmoid returns 1/(1+e^-x).
func Sigmoid(x *Node) *Node { return unary(OpSigmoid, x) }

// Softplus returns log(1+e^x).
func Softplus(x *Node) *Node { return unary(OpSoftplus, x) }

// SiLU returns x*sigmoid(x) (also called Swish).
func SiLU(x *Node) *Node { return unary(OpSiLU, x) }

// ELU returns x for x > 0 and alpha*(e^x - 1) otherwise.
func ELU(x *Node, alpha float64) *Node { return x.graph.build(OpELU, ELUAttr{Alpha: alpha}, x) }

// GELU returns the tanh approximation of the Gaussian error linear unit,
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as in GPT-2 and
// PyTorch's approximate="tanh"; it differs from the erf form by < 1e-3.
func GELU(x *Node) *Node { return unary(OpGELU, x) }

// ReLU returns max(x, 0).
func ReLU(x *Node) *Node { return unary(OpReLU, x) }

// Step returns 1 where x > 0 and 0 elsewhere. It has no gradient.
func Step(x *Node) *Node { return unary(OpStep, x) }

// unaryFuncs are the float64 reference functions of the unary ops.
var unaryFuncs = map[OpKind]func(attr any, x float64) float64{
	OpAffine: func(a any, x float64) float64 {
		p := a.(AffineAttr)
		return p.Scale*x + p.Shift
	},
	OpSquare:   func(_ any, x float64) float64 { return ref.Square(x) },
	OpExp:      func(_ any, x float64) float64 { return math.Exp(x) },
	OpLog:      func(_ any, x float64) float64 { return math.Log(x) },
	OpSqrt:     func(_ any, x float64) float64 { return math.Sqrt(x) },
	OpTanh:     func(_ any, x float64) float64 { return math.Tanh(x) },
	OpSigmoid:  func(_ any, x float64) float64 { return ref.Sigmoid(x) },
	OpSoftplus: func(_ any, x float64) float64 { return ref.Softplus(x) },
	OpSiLU:     func(_ any, x float64) float64 { return ref.SiLU(x) },
	OpELU:      func(a any, x float64) float64 { return ref.ELU(x, a.(ELUAttr).Alpha) },
	OpGELU:     func(_ any, x float64) float64 { return ref.GELU(x) },
	OpReLU:     func(_ any, x float64) float64 { return ref.ReLU(x) },
	OpStep:     func(_ any, x float64) float64 { return ref.Step(x) },
}

// binaryFuncs are the float64 reference functions of the binary ops.
var binaryFuncs = map[OpKind]func(a, b float64) float64{
	OpAdd: ref.Add, OpSub: ref.Sub, OpMul: ref.Mul, OpDiv: ref.Div, OpEqual: ref.Equal,
}

// unaryGrads give dy/dx as graph ops of x and y = n, so that they can be
// differentiated again. Affine, Log and Sqrt are handled in vjpUnary.
var unaryGrads = map[OpKind]func(n, x *Node) *Node{
	OpSquare:   func(n, x *Node) *Node { return Scale(x, 2) },
	OpExp:      func(n, x *Node) *Node { return n },
	OpTanh:     func(n, x *Node) *Node { return OneMinus(Square(n)) },
	OpSigmoid:  func(n, x *Node) *Node { return Mul(n, OneMinus(n)) },
	OpSoftplus: func(n, x *Node) *Node { return Sigmoid(x) },
	OpSiLU: func(n, x *Node) *Node {
		s := Sigmoid(x)
		return Mul(s, AddScalar(Mul(x, OneMinus(s)), 1))
	},
	OpELU: func(n, x *Node) *Node {
		// x <= 0: dy/dx = alpha e^x = y + alpha; written with y so that no
		// e^x of a large positive x is multiplied by 0.
		st := Step(x)
		return Add(st, Mul(OneMinus(st), AddScalar(n, n.attr.(ELUAttr).Alpha)))
	},
	OpGELU: func(n, x *Node) *Node {
		x2 := Square(x)
		t := Tanh(Scale(Add(x, Scale(Mul(x2, x), ref.GELUK)), ref.GELUC))
		d := Mul(OneMinus(Square(t)), Affine(x2, 3*ref.GELUK, 1))
		return Add(Affine(t, 0.5, 0.5), Mul(Scale(x, 0.5*ref.GELUC), d))
	},
	OpReLU: func(n, x *Node) *Node { return Step(x) },
}

func inferSame(_ any, in []Shape) (Shape, error) { return in[0].Clone(), nil }

func inferBroadcast(_ any, in []Shape) (Shape, error) { return BroadcastShapes(in[0], in[1]) }

func forwardUnary(_ *runCtx, n *Node, in []tensor, out []float64) {
	f := unaryFuncs[n.kind]
	copy(out, ref.Map(func(x float64) float64 { return f(n.attr, x) }, in[0].data))
}

func forwardBinary(_ *runCtx, n *Node, in []tensor, out []float64) {
	a, b := in[0], in[1]
	copy(out, ref.Broadcast(binaryFuncs[n.kind], a.data, a.shape, b.data, b.shape, n.shape))
}

func vjpUnary(n, gy *Node, _ []bool) []*Node {
	x := n.inputs[0]
	switch n.kind {
	case OpAffine:
		return []*Node{Scale(gy, n.attr.(AffineAttr).Scale)}
	case OpLog:
		return []*Node{Div(gy, x)}
	case OpSqrt:
		return []*Node{Div(gy, Scale(n, 2))}
	}
	return []*Node{Mul(gy, unaryGrads[n.kind](n, x))}
}

func vjpBinary(n, gy *Node, need []bool) []*Node {
	a, b := n.inputs[0], n.inputs[1]
	var ga, gb *Node
	switch n.kind {
	case OpAdd:
		ga, gb = gy, gy
	case OpSub:
		ga = gy
		if need[1] {
			gb = Neg(gy)
		}
	case OpMul:
		if need[0] {
			ga = Mul(gy, b)
		}
		if need[1] {
			gb = Mul(gy, a)
		}
	case OpDiv:
		if need[0] {
			ga = Div(gy, b)
		}
		if need[1] {
			gb = Neg(Div(Mul(gy, n), b))
		}
	}
	return []*Node{sumTo(ga, a.shape), sumTo(gb, b.shape)}
}

// sumTo sums x over the dimensions along which a tensor of the given shape
// was broadcast to x's shape, returning a tensor of that shape.
func sumTo(x *Node, shape Shape) *Node {
	if x == nil || x.shape.Equal(shape) {
		return x
	}
	var axes []int
	lead := len(x.shape) - len(shape)
	for i := range x.shape {
		if i < lead || (shape[i-lead] == 1 && x.shape[i] != 1) {
			axes = append(axes, i)
		}
	}
	return Reshape(ReduceSum(x, axes, true), shape...)
}

func init() {
	for _, k := range []OpKind{OpAdd, OpSub, OpMul, OpDiv} {
		register(k, opDef{arity: 2, infer: inferBroadcast, forward: forwardBinary, vjp: vjpBinary})
	}
	register(OpEqual, opDef{arity: 2, infer: inferBroadcast, forward: forwardBinary, vjp: noGrad})
	for k := range unaryFuncs {
		register(k, opDef{arity: 1, infer: inferSame, forward: forwardUnary, vjp: vjpUnary})
	}
	registry[OpStep].vjp = noGrad
	register(OpFill, opDef{arity: 0,
		infer: func(a any, _ []Shape) (Shape, error) { return a.(FillAttr).Shape.Clone(), nil },
		forward: func(_ *runCtx, n *Node, _ []tensor, out []float64) {
			for i := range out {
				out[i] = n.attr.(FillAttr).Value
			}
		},
		vjp: noGrad,
	})
}
