package kernels

import (
	"math"

	"github.com/sdevk/sdevk/graph/ref"
)

// The elementwise kernels' op codes mapped to graph/ref's scalar functions:
// the float64 reference of the unary and binary kernels and of Ewise's
// interpreter.

// unaryScalars are the unary ops' functions but ELU (see UnaryRef).
var unaryScalars = map[UnaryOp]func(v float64) float64{
	Identity: func(v float64) float64 { return v },
	Exp:      math.Exp, Log: math.Log, Sqrt: math.Sqrt, Tanh: math.Tanh,
	Sigmoid: ref.Sigmoid, Softplus: ref.Softplus, SiLU: ref.SiLU, ReLU: ref.ReLU,
	GELU: ref.GELU, Square: ref.Square, Step: ref.Step,
	Reciprocal: func(v float64) float64 { return 1 / v },
	Neg:        func(v float64) float64 { return -v },
	Abs:        math.Abs, Sin: math.Sin, Cos: math.Cos,
}

// binaryScalars are the binary ops' functions.
var binaryScalars = map[BinaryOp]func(x, y float64) float64{
	Add: ref.Add, Sub: ref.Sub, Mul: ref.Mul, Div: ref.Div,
	Max: math.Max, Min: math.Min, Pow: math.Pow, Equal: ref.Equal,
}

// UnaryRef is the float64 reference of the unary kernel: op of
// alpha x + beta for every element.
func UnaryRef(op UnaryOp, x []float64, alpha, beta, gamma float64) []float64 {
	f := unaryScalars[op]
	if op == ELU {
		f = func(v float64) float64 { return ref.ELU(v, gamma) }
	}
	return ref.Map(func(v float64) float64 { return f(alpha*v + beta) }, x)
}

// BinaryRef is the float64 reference of the binary kernel.
func BinaryRef(op BinaryOp, a, b []float64, aShape, bShape []int) ([]float64, error) {
	aShape, bShape = flatIfEqual(aShape, bShape)
	shape, _, _, err := BroadcastStrides(aShape, bShape)
	if err != nil {
		return nil, err
	}
	return ref.Broadcast(binaryScalars[op], a, aShape, b, bShape, shape[:]), nil
}
