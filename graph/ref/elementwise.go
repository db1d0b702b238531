package ref

import "math"

// The unary ops' scalar functions that are more than one call of package
// math (Exp, Log, Sqrt, Tanh are math's).

// Sigmoid is 1/(1+e^-x), computed without overflow.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Softplus is log(1+e^x), computed without overflow.
func Softplus(x float64) float64 { return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// SiLU is x sigmoid(x).
func SiLU(x float64) float64 { return x * Sigmoid(x) }

// ELU is x for x > 0 and alpha (e^x - 1) otherwise.
func ELU(x, alpha float64) float64 {
	if x > 0 {
		return x
	}
	return alpha * math.Expm1(x)
}

// The constants of GELU's tanh approximation.
const (
	GELUC = 0.7978845608028654 // sqrt(2/pi)
	GELUK = 0.044715
)

// GELU is the tanh approximation of the Gaussian error linear unit,
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
func GELU(x float64) float64 { return 0.5 * x * (1 + math.Tanh(GELUC*(x+GELUK*x*x*x))) }

// ReLU is max(x, 0).
func ReLU(x float64) float64 { return max(x, 0) }

// Square is x*x.
func Square(x float64) float64 { return x * x }

// Step is the Heaviside function: 1 where x > 0, else 0.
func Step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

// The binary ops' scalar functions.

// Add is a + b.
func Add(a, b float64) float64 { return a + b }

// Sub is a - b.
func Sub(a, b float64) float64 { return a - b }

// Mul is a * b.
func Mul(a, b float64) float64 { return a * b }

// Div is a / b.
func Div(a, b float64) float64 { return a / b }

// Equal is 1 where a == b, else 0.
func Equal(a, b float64) float64 {
	if a == b {
		return 1
	}
	return 0
}

// Map returns f applied to every element of x.
func Map(f func(float64) float64, x []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = f(v)
	}
	return y
}

// Broadcast returns f(a, b) elementwise for a of shape aShape and b of
// shape bShape broadcast (NumPy rules) to shape out.
func Broadcast(f func(a, b float64) float64, a []float64, aShape []int, b []float64, bShape []int, out []int) []float64 {
	ma, mb := BroadcastIndex(aShape, out), BroadcastIndex(bShape, out)
	y := make([]float64, len(ma))
	for i := range y {
		y[i] = f(a[ma[i]], b[mb[i]])
	}
	return y
}
