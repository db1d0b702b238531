package kernels

import "math"

// UnaryRef is the float64 reference of the unary kernel.
func UnaryRef(op UnaryOp, x []float64, alpha, beta, gamma float64) []float64 {
	y := make([]float64, len(x))
	for i, xi := range x {
		v := alpha*xi + beta
		var r float64
		switch op {
		case Identity:
			r = v
		case Exp:
			r = math.Exp(v)
		case Log:
			r = math.Log(v)
		case Sqrt:
			r = math.Sqrt(v)
		case Tanh:
			r = math.Tanh(v)
		case Sigmoid:
			r = 1 / (1 + math.Exp(-v))
		case Softplus:
			r = math.Log1p(math.Exp(v))
			if v > 20 {
				r = v
			}
		case SiLU:
			r = v / (1 + math.Exp(-v))
		case ReLU:
			r = math.Max(v, 0)
		case ELU:
			r = v
			if v <= 0 {
				r = gamma * (math.Exp(v) - 1)
			}
		case GELU:
			r = 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		case Square:
			r = v * v
		case Reciprocal:
			r = 1 / v
		case Neg:
			r = -v
		case Abs:
			r = math.Abs(v)
		case Sin:
			r = math.Sin(v)
		case Cos:
			r = math.Cos(v)
		case Step:
			if v > 0 {
				r = 1
			}
		}
		y[i] = r
	}
	return y
}

// BinaryRef is the float64 reference of the binary kernel.
func BinaryRef(op BinaryOp, a, b []float64, aShape, bShape []int) ([]float64, error) {
	shape, sa, sb, err := BroadcastStrides(aShape, bShape)
	if err != nil {
		return nil, err
	}
	n := shape[0] * shape[1] * shape[2] * shape[3]
	out := make([]float64, n)
	for i := range out {
		rem, ia, ib := i, 0, 0
		for d := MaxBroadcastDims - 1; d >= 0; d-- {
			c := rem % shape[d]
			rem /= shape[d]
			ia += c * sa[d]
			ib += c * sb[d]
		}
		x, y := a[ia], b[ib]
		switch op {
		case Add:
			out[i] = x + y
		case Sub:
			out[i] = x - y
		case Mul:
			out[i] = x * y
		case Div:
			out[i] = x / y
		case Max:
			out[i] = math.Max(x, y)
		case Min:
			out[i] = math.Min(x, y)
		case Pow:
			out[i] = math.Pow(x, y)
		case Equal:
			if x == y {
				out[i] = 1
			}
		}
	}
	return out, nil
}
