package kernels

import (
	"math"

	"github.com/sdevk/sdevk/graph/ref"
)

// The elementwise kernels' op codes mapped to graph/ref's scalar functions:
// the float64 reference of the unary and binary kernels and of Ewise's
// interpreter.

// unaryScalar is op applied to v (gamma: ELU's alpha).
func unaryScalar(op UnaryOp, v, gamma float64) float64 {
	switch op {
	case Exp:
		return math.Exp(v)
	case Log:
		return math.Log(v)
	case Sqrt:
		return math.Sqrt(v)
	case Tanh:
		return math.Tanh(v)
	case Sigmoid:
		return ref.Sigmoid(v)
	case Softplus:
		return ref.Softplus(v)
	case SiLU:
		return ref.SiLU(v)
	case ReLU:
		return ref.ReLU(v)
	case ELU:
		return ref.ELU(v, gamma)
	case GELU:
		return ref.GELU(v)
	case Square:
		return ref.Square(v)
	case Reciprocal:
		return 1 / v
	case Neg:
		return -v
	case Abs:
		return math.Abs(v)
	case Sin:
		return math.Sin(v)
	case Cos:
		return math.Cos(v)
	case Step:
		return ref.Step(v)
	}
	return v // Identity
}

// binaryScalars are the binary ops' functions.
var binaryScalars = map[BinaryOp]func(x, y float64) float64{
	Add: ref.Add, Sub: ref.Sub, Mul: ref.Mul, Div: ref.Div,
	Max: math.Max, Min: math.Min, Pow: math.Pow, Equal: ref.Equal,
}

// UnaryRef is the float64 reference of the unary kernel: op of
// alpha x + beta for every element.
func UnaryRef(op UnaryOp, x []float64, alpha, beta, gamma float64) []float64 {
	return ref.Map(func(v float64) float64 { return unaryScalar(op, alpha*v+beta, gamma) }, x)
}

// BinaryRef is the float64 reference of the binary kernel.
func BinaryRef(op BinaryOp, a, b []float64, aShape, bShape []int) ([]float64, error) {
	shape, _, _, err := BroadcastStrides(aShape, bShape)
	if err != nil {
		return nil, err
	}
	return ref.Broadcast(binaryScalars[op], a, aShape, b, bShape, shape[:]), nil
}
