package optest

import (
	"math"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/optest/fd"
)

// opCase is one row of the op table: a node built from Input nodes of the
// given shapes, an independent reference for its value (nil to rely on the
// derivative checks and the reference executor only) and the distribution
// of its inputs.
type opCase struct {
	name   string
	shapes [][]int
	build  func(x []*graph.Node) *graph.Node
	ref    func(x [][]float64) []float64
	inputs fd.Inputs
	// noSecond skips the second-order check.
	noSecond bool
}

var (
	conv1 = graph.Conv2DAttr{Stride: [2]int{1, 1}, Pad: [2]int{1, 1}}
	conv2 = graph.Conv2DAttr{Stride: [2]int{2, 2}, Pad: [2]int{1, 1}}

	firK1D  = []float64{1, 3, 3, 1}
	firUp   = firKernel(firK1D, 4) // upsample_2d's kernel, gain 1, factor 2
	firDown = firKernel(firK1D, 1)
	firOdd  = []float64{0.3, -1.2, 0.5, 2, 0.1, -0.7, 1.1, 0.4, -0.2}
)

// cases is the op table. Every op kind must appear in some case's value,
// gradient or second-order graph (Coverage checks it).
var cases = []opCase{
	{name: "Add", shapes: [][]int{{3, 5}, {5}}, build: func(x []*graph.Node) *graph.Node { return graph.Add(x[0], x[1]) },
		ref: bin2(3, 5, 1, 5, func(a, b float64) float64 { return a + b })},
	{name: "Sub", shapes: [][]int{{3, 1}, {1, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Sub(x[0], x[1]) },
		ref: bin2(3, 1, 1, 5, func(a, b float64) float64 { return a - b })},
	{name: "Mul", shapes: [][]int{{3, 5}, {3, 1}}, build: func(x []*graph.Node) *graph.Node { return graph.Mul(x[0], x[1]) },
		ref: bin2(3, 5, 3, 1, func(a, b float64) float64 { return a * b })},
	{name: "Div", shapes: [][]int{{3, 5}, {1, 5}}, inputs: fd.Positive, build: func(x []*graph.Node) *graph.Node { return graph.Div(x[0], x[1]) },
		ref: bin2(3, 5, 1, 5, func(a, b float64) float64 { return a / b })},
	{name: "MulScalarInput", shapes: [][]int{{3, 5}, {}}, build: func(x []*graph.Node) *graph.Node { return graph.Mul(x[0], x[1]) },
		ref: bin2(3, 5, 1, 1, func(a, b float64) float64 { return a * b })},
	{name: "Affine", shapes: [][]int{{7}}, build: func(x []*graph.Node) *graph.Node { return graph.Affine(x[0], -2.5, 0.75) },
		ref: ew(func(v float64) float64 { return -2.5*v + 0.75 })},
	{name: "Neg", shapes: [][]int{{7}}, build: func(x []*graph.Node) *graph.Node { return graph.Neg(x[0]) },
		ref: ew(func(v float64) float64 { return -v })},
	{name: "Square", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Square(x[0]) },
		ref: ew(func(v float64) float64 { return v * v })},
	{name: "Exp", shapes: [][]int{{7}}, build: func(x []*graph.Node) *graph.Node { return graph.Exp(x[0]) }, ref: ew(math.Exp)},
	{name: "Log", shapes: [][]int{{7}}, inputs: fd.Positive, build: func(x []*graph.Node) *graph.Node { return graph.Log(x[0]) }, ref: ew(math.Log)},
	{name: "Sqrt", shapes: [][]int{{7}}, inputs: fd.Positive, build: func(x []*graph.Node) *graph.Node { return graph.Sqrt(x[0]) }, ref: ew(math.Sqrt)},
	{name: "Tanh", shapes: [][]int{{7}}, build: func(x []*graph.Node) *graph.Node { return graph.Tanh(x[0]) }, ref: ew(math.Tanh)},
	{name: "Sigmoid", shapes: [][]int{{7}}, build: func(x []*graph.Node) *graph.Node { return graph.Sigmoid(x[0]) }, ref: ew(sigm)},
	{name: "Softplus", shapes: [][]int{{7}}, build: func(x []*graph.Node) *graph.Node { return graph.Softplus(x[0]) },
		ref: ew(func(v float64) float64 { return math.Log(1 + math.Exp(v)) })},
	{name: "SiLU", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.SiLU(x[0]) },
		ref: ew(func(v float64) float64 { return v * sigm(v) })},
	{name: "ELU", shapes: [][]int{{3, 5}}, inputs: fd.AwayZero, build: func(x []*graph.Node) *graph.Node { return graph.ELU(x[0], 1.3) },
		ref: ew(func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 1.3 * (math.Exp(v) - 1)
		})},
	{name: "GELU", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.GELU(x[0]) },
		ref: ew(func(v float64) float64 {
			return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		})},
	{name: "ReLU", shapes: [][]int{{3, 5}}, inputs: fd.AwayZero, build: func(x []*graph.Node) *graph.Node { return graph.ReLU(x[0]) },
		ref: ew(func(v float64) float64 { return math.Max(v, 0) })},
	{name: "Step", shapes: [][]int{{7}}, inputs: fd.AwayZero, build: func(x []*graph.Node) *graph.Node { return graph.Mul(graph.Step(x[0]), x[0]) },
		ref: ew(func(v float64) float64 { return math.Max(v, 0) })},
	{name: "ReduceSumAxis0", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.ReduceSum(x[0], []int{0}, false) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 5)
			for i, v := range x[0] {
				y[i%5] += v
			}
			return y
		}},
	// Every axis but the channels: a bias gradient's shape (vkexec lowers it
	// to one channel sum).
	{name: "ReduceMeanChannels", shapes: [][]int{{3, 4, 5, 3}}, build: func(x []*graph.Node) *graph.Node { return graph.ReduceMean(x[0], []int{0, 2, 3}, false) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 4)
			for i, v := range x[0] {
				y[i/15%4] += v / 45
			}
			return y
		}},
	{name: "ReduceMeanKeep", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.ReduceMean(x[0], []int{-1}, true) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 3)
			for i, v := range x[0] {
				y[i/5] += v / 5
			}
			return y
		}},
	{name: "ReduceMax", shapes: [][]int{{3, 5, 2}}, build: func(x []*graph.Node) *graph.Node { return graph.ReduceMax(x[0], []int{0, 2}, false) },
		ref: func(x [][]float64) []float64 {
			y := []float64{-9, -9, -9, -9, -9}
			for i, v := range x[0] {
				y[i/2%5] = math.Max(y[i/2%5], v)
			}
			return y
		}},
	{name: "SumAll", shapes: [][]int{{2, 3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Sum(graph.Square(x[0])) },
		ref: func(x [][]float64) []float64 { return []float64{dot(x[0], x[0])} }},
	{name: "Reshape", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node {
		return graph.Mul(graph.Reshape(x[0], 5, -1), x[0].Graph().Const([]float64{1, 2, 3}, 3))
	}},
	{name: "Transpose", shapes: [][]int{{2, 3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Transpose(x[0], 2, 0, 1) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 30)
			for a := 0; a < 2; a++ {
				for b := 0; b < 3; b++ {
					for c := 0; c < 5; c++ {
						y[(c*2+a)*3+b] = x[0][(a*3+b)*5+c]
					}
				}
			}
			return y
		}},
	{name: "Slice", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Slice(x[0], []int{1, 1}, []int{3, 4}) },
		ref: func(x [][]float64) []float64 {
			v := x[0]
			return []float64{v[6], v[7], v[8], v[11], v[12], v[13]}
		}},
	{name: "Pad", shapes: [][]int{{2, 1}}, build: func(x []*graph.Node) *graph.Node { return graph.Pad(x[0], []int{1, 0}, []int{0, 2}) },
		ref: func(x [][]float64) []float64 { return []float64{0, 0, 0, x[0][0], 0, 0, x[0][1], 0, 0} }},
	{name: "Concat", shapes: [][]int{{2, 2}, {2, 1}, {2, 3}}, build: func(x []*graph.Node) *graph.Node { return graph.Concat(-1, x[0], x[1], x[2]) },
		ref: func(x [][]float64) []float64 {
			a, b, c := x[0], x[1], x[2]
			return []float64{a[0], a[1], b[0], c[0], c[1], c[2], a[2], a[3], b[1], c[3], c[4], c[5]}
		}},
	{name: "Slice3D", shapes: [][]int{{2, 3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Slice(x[0], []int{0, 1, 1}, []int{2, 3, 4}) },
		ref: func(x [][]float64) []float64 {
			var y []float64
			for a := 0; a < 2; a++ {
				for b := 1; b < 3; b++ {
					y = append(y, x[0][(a*3+b)*5+1:(a*3+b)*5+4]...)
				}
			}
			return y
		}},
	{name: "Pad3D", shapes: [][]int{{2, 3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Pad(x[0], []int{1, 0, 2}, []int{0, 1, 1}) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 3*4*8)
			for a := 0; a < 2; a++ {
				for b := 0; b < 3; b++ {
					for c := 0; c < 5; c++ {
						y[((a+1)*4+b)*8+c+2] = x[0][(a*3+b)*5+c]
					}
				}
			}
			return y
		}},
	{name: "ConcatMiddle", shapes: [][]int{{2, 3, 5}, {2, 4, 5}, {2, 1, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Concat(1, x[0], x[1], x[2]) },
		ref: func(x [][]float64) []float64 {
			var y []float64
			for a := 0; a < 2; a++ {
				y = append(append(append(y, x[0][a*15:a*15+15]...), x[1][a*20:a*20+20]...), x[2][a*5:a*5+5]...)
			}
			return y
		}},
	{name: "BroadcastTo", shapes: [][]int{{3, 1}}, build: func(x []*graph.Node) *graph.Node { return graph.BroadcastTo(x[0], 2, 3, 2) },
		ref: func(x [][]float64) []float64 {
			v := x[0]
			return []float64{v[0], v[0], v[1], v[1], v[2], v[2], v[0], v[0], v[1], v[1], v[2], v[2]}
		}},
	{name: "MatMul", shapes: [][]int{{3, 4}, {4, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.MatMul(x[0], x[1]) },
		ref: matRef(1, 3, 4, 5, false, false, false, false)},
	{name: "MatMulTA", shapes: [][]int{{4, 3}, {4, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.MatMulT(x[0], x[1], true, false) },
		ref: matRef(1, 3, 4, 5, true, false, false, false)},
	{name: "MatMulTB", shapes: [][]int{{3, 4}, {5, 4}}, build: func(x []*graph.Node) *graph.Node { return graph.MatMulT(x[0], x[1], false, true) },
		ref: matRef(1, 3, 4, 5, false, true, false, false)},
	{name: "MatMulTATB", shapes: [][]int{{2, 4, 3}, {2, 5, 4}}, build: func(x []*graph.Node) *graph.Node { return graph.MatMulT(x[0], x[1], true, true) },
		ref: matRef(2, 3, 4, 5, true, true, true, true)},
	{name: "MatMulBroadcastA", shapes: [][]int{{4, 3}, {2, 5, 4}}, build: func(x []*graph.Node) *graph.Node { return graph.MatMulT(x[0], x[1], true, true) },
		ref: matRef(2, 3, 4, 5, true, true, false, true)},
	{name: "MatMulBroadcastB", shapes: [][]int{{2, 3, 4}, {4, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.MatMul(x[0], x[1]) },
		ref: matRef(2, 3, 4, 5, false, false, true, false)},
	{name: "Conv2D", shapes: [][]int{{2, 3, 5, 5}, {4, 3, 3, 3}}, build: func(x []*graph.Node) *graph.Node { return graph.Conv2D(x[0], x[1], conv1) },
		ref: convRef(2, 3, 5, 5, 4, 3, 1, 1)},
	{name: "Conv2DStride2", shapes: [][]int{{2, 3, 5, 5}, {2, 3, 3, 3}}, build: func(x []*graph.Node) *graph.Node { return graph.Conv2D(x[0], x[1], conv2) },
		ref: convRef(2, 3, 5, 5, 2, 3, 2, 1)},
	{name: "Conv2D1x1", shapes: [][]int{{1, 3, 3, 5}, {2, 3, 1, 1}}, build: func(x []*graph.Node) *graph.Node { return graph.Conv2D(x[0], x[1], graph.Conv2DAttr{}) },
		ref: convRef(1, 3, 3, 5, 2, 1, 1, 0)},
	{name: "Conv2DBackData", shapes: [][]int{{2, 2, 3, 3}, {2, 3, 3, 3}},
		build: func(x []*graph.Node) *graph.Node { return graph.Conv2DBackData(x[0], x[1], conv2, 5, 5) }},
	{name: "Conv2DBackFilter", shapes: [][]int{{2, 3, 5, 5}, {2, 2, 3, 3}},
		build: func(x []*graph.Node) *graph.Node { return graph.Conv2DBackFilter(x[0], x[1], conv2, 3, 3) }},
	{name: "Upsample2x", shapes: [][]int{{1, 2, 2, 3}}, build: func(x []*graph.Node) *graph.Node { return graph.Upsample2x(x[0]) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 48)
			for i := range y {
				c, h, w := i/24, i/6%4, i%6
				y[i] = x[0][c*6+h/2*3+w/2]
			}
			return y
		}},
	{name: "AvgPool2x", shapes: [][]int{{2, 3, 4, 6}}, build: func(x []*graph.Node) *graph.Node { return graph.AvgPool2x(x[0]) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 36)
			for i, v := range x[0] {
				nc, h, w := i/24, i/6%4, i%6
				y[nc*6+h/2*3+w/2] += v / 4
			}
			return y
		}},
	{name: "GroupNorm", shapes: [][]int{{2, 4, 3, 3}, {4}, {4}},
		build: func(x []*graph.Node) *graph.Node { return graph.GroupNorm(x[0], x[1], x[2], 2, 1e-5) },
		ref:   groupNormRef(2, 4, 9, 2, 1e-5)},
	{name: "Attention", shapes: [][]int{{2, 4, 3, 3}, {2, 4, 3, 3}, {2, 4, 3, 3}},
		build: func(x []*graph.Node) *graph.Node { return graph.Attention(x[0], x[1], x[2], 2) },
		ref:   attentionRef(2, 4, 9, 2)},
	{name: "Attention1Head", shapes: [][]int{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}},
		build: func(x []*graph.Node) *graph.Node { return graph.Attention(x[0], x[1], x[2], 1) },
		ref:   attentionRef(1, 3, 5, 1)},
	{name: "FourierEmbed", shapes: [][]int{{3}, {4}}, build: func(x []*graph.Node) *graph.Node { return graph.FourierEmbed(x[0], x[1]) },
		ref: func(x [][]float64) []float64 {
			var y []float64
			for _, t := range x[0] {
				for _, f := range []func(float64) float64{math.Sin, math.Cos} {
					for _, w := range x[1] {
						y = append(y, f(2*math.Pi*t*w))
					}
				}
			}
			return y
		}},
	{name: "SinusoidalEmbed", shapes: [][]int{{3}}, build: func(x []*graph.Node) *graph.Node { return graph.SinusoidalEmbed(graph.Scale(x[0], 5), 6, 100) },
		ref: func(x [][]float64) []float64 {
			var y []float64
			for _, t := range x[0] {
				y = append(y, math.Sin(5*t), math.Sin(5*t/10), math.Sin(5*t/100), math.Cos(5*t), math.Cos(5*t/10), math.Cos(5*t/100))
			}
			return y
		}},
	// Random draws: their values come from package rng (tested there); here
	// every executor must draw the same numbers for the run's seed and step.
	{name: "RandUniform", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node {
		return graph.Mul(x[0], x[0].Graph().RandUniform(1, 3, 5))
	}},
	{name: "RandNormal", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node {
		return graph.Mul(x[0], x[0].Graph().RandNormal(2, 3, 5))
	}},
	{name: "RandRademacher", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node {
		return graph.Mul(x[0], x[0].Graph().RandRademacher(3, 3, 5))
	}},
	{name: "Dropout", shapes: [][]int{{3, 5}}, build: func(x []*graph.Node) *graph.Node { return graph.Dropout(x[0], 0.3, 7) }},
	// score_sde's FIR up and down by 2 with its [1, 3, 3, 1] kernel, and a
	// general case with an asymmetric kernel, cropping and up 3 / down 2.
	{name: "UpFirDn2DUp", shapes: [][]int{{2, 3, 7, 5}},
		build: func(x []*graph.Node) *graph.Node { return graph.UpFirDn2D(x[0], firUp, 4, 2, 1, 2, 1) },
		ref:   upFirDnRef(6, 7, 5, firUp, 4, 2, 1, 2, 1)},
	{name: "UpFirDn2DDown", shapes: [][]int{{2, 3, 7, 5}},
		build: func(x []*graph.Node) *graph.Node { return graph.UpFirDn2D(x[0], firDown, 4, 1, 2, 1, 1) },
		ref:   upFirDnRef(6, 7, 5, firDown, 4, 1, 2, 1, 1)},
	{name: "UpFirDn2DGeneral", shapes: [][]int{{1, 2, 6, 4}},
		build: func(x []*graph.Node) *graph.Node { return graph.UpFirDn2D(x[0], firOdd, 3, 3, 2, 1, -1) },
		ref:   upFirDnRef(2, 6, 4, firOdd, 3, 3, 2, 1, -1)},
	{name: "FIRUpsampleConv2D", shapes: [][]int{{1, 2, 4, 3}, {3, 2, 3, 3}},
		build: func(x []*graph.Node) *graph.Node { return graph.FIRUpsampleConv2D(x[0], x[1], firK1D, 2, 1) }},
	{name: "FIRConvDownsample2D", shapes: [][]int{{1, 2, 5, 4}, {3, 2, 3, 3}},
		build: func(x []*graph.Node) *graph.Node { return graph.FIRConvDownsample2D(x[0], x[1], firK1D, 2, 1) }},
}
