package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// opCase is one row of the op table: a node built from Input nodes of the
// given shapes, an independent reference for its forward value (nil to rely
// on the gradient checks only) and the input distribution.
type opCase struct {
	name   string
	shapes [][]int
	build  func(x []*Node) *Node
	ref    func(x [][]float64) []float64
	inputs inputKind
	// noSecond skips the second-order check.
	noSecond bool
}

func ew(f func(float64) float64) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		y := make([]float64, len(x[0]))
		for i, v := range x[0] {
			y[i] = f(v)
		}
		return y
	}
}

// bin2 is a 2-D broadcasting reference: a is ra x ca and b is rb x cb,
// each dimension either full or 1.
func bin2(ra, ca, rb, cb int, f func(a, b float64) float64) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		r, c := max(ra, rb), max(ca, cb)
		y := make([]float64, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				y[i*c+j] = f(x[0][(i%ra)*ca+j%ca], x[1][(i%rb)*cb+j%cb])
			}
		}
		return y
	}
}

// matRef multiplies op(A) (m x k) by op(B) (k x n) for a batch of nb.
func matRef(nb, m, k, n int, ta, tb bool, bBatched bool) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		y := make([]float64, nb*m*n)
		for b := 0; b < nb; b++ {
			A := x[0][b*m*k:]
			B := x[1]
			if bBatched {
				B = B[b*k*n:]
			}
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					for l := 0; l < k; l++ {
						a := A[i*k+l]
						if ta {
							a = A[l*m+i]
						}
						bb := B[l*n+j]
						if tb {
							bb = B[j*k+l]
						}
						y[(b*m+i)*n+j] += a * bb
					}
				}
			}
		}
		return y
	}
}

// convRef pads x explicitly and correlates; x [N,C,H,W], w [O,C,K,K].
func convRef(N, C, H, W, O, K, stride, pad int) func(x [][]float64) []float64 {
	return func(in [][]float64) []float64 {
		hp, wp := H+2*pad, W+2*pad
		xp := make([]float64, N*C*hp*wp)
		for n := 0; n < N; n++ {
			for c := 0; c < C; c++ {
				for h := 0; h < H; h++ {
					for w := 0; w < W; w++ {
						xp[((n*C+c)*hp+h+pad)*wp+w+pad] = in[0][((n*C+c)*H+h)*W+w]
					}
				}
			}
		}
		oh, ow := (hp-K)/stride+1, (wp-K)/stride+1
		y := make([]float64, N*O*oh*ow)
		for n := 0; n < N; n++ {
			for o := 0; o < O; o++ {
				for i := 0; i < oh; i++ {
					for j := 0; j < ow; j++ {
						s := 0.0
						for c := 0; c < C; c++ {
							for a := 0; a < K; a++ {
								for b := 0; b < K; b++ {
									s += xp[((n*C+c)*hp+i*stride+a)*wp+j*stride+b] * in[1][((o*C+c)*K+a)*K+b]
								}
							}
						}
						y[((n*O+o)*oh+i)*ow+j] = s
					}
				}
			}
		}
		return y
	}
}

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

var conv1 = Conv2DAttr{Stride: [2]int{1, 1}, Pad: [2]int{1, 1}}
var conv2 = Conv2DAttr{Stride: [2]int{2, 2}, Pad: [2]int{1, 1}}

var opCases = []opCase{
	{name: "Add", shapes: [][]int{{3, 5}, {5}}, build: func(x []*Node) *Node { return Add(x[0], x[1]) },
		ref: bin2(3, 5, 1, 5, func(a, b float64) float64 { return a + b })},
	{name: "Sub", shapes: [][]int{{3, 1}, {1, 5}}, build: func(x []*Node) *Node { return Sub(x[0], x[1]) },
		ref: bin2(3, 1, 1, 5, func(a, b float64) float64 { return a - b })},
	{name: "Mul", shapes: [][]int{{3, 5}, {3, 1}}, build: func(x []*Node) *Node { return Mul(x[0], x[1]) },
		ref: bin2(3, 5, 3, 1, func(a, b float64) float64 { return a * b })},
	{name: "Div", shapes: [][]int{{3, 5}, {1, 5}}, inputs: positive, build: func(x []*Node) *Node { return Div(x[0], x[1]) },
		ref: bin2(3, 5, 1, 5, func(a, b float64) float64 { return a / b })},
	{name: "MulScalarInput", shapes: [][]int{{3, 5}, {}}, build: func(x []*Node) *Node { return Mul(x[0], x[1]) },
		ref: bin2(3, 5, 1, 1, func(a, b float64) float64 { return a * b })},
	{name: "Affine", shapes: [][]int{{7}}, build: func(x []*Node) *Node { return Affine(x[0], -2.5, 0.75) },
		ref: ew(func(v float64) float64 { return -2.5*v + 0.75 })},
	{name: "Neg", shapes: [][]int{{7}}, build: func(x []*Node) *Node { return Neg(x[0]) }, ref: ew(func(v float64) float64 { return -v })},
	{name: "Square", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return Square(x[0]) }, ref: ew(func(v float64) float64 { return v * v })},
	{name: "Exp", shapes: [][]int{{7}}, build: func(x []*Node) *Node { return Exp(x[0]) }, ref: ew(math.Exp)},
	{name: "Log", shapes: [][]int{{7}}, inputs: positive, build: func(x []*Node) *Node { return Log(x[0]) }, ref: ew(math.Log)},
	{name: "Sqrt", shapes: [][]int{{7}}, inputs: positive, build: func(x []*Node) *Node { return Sqrt(x[0]) }, ref: ew(math.Sqrt)},
	{name: "Tanh", shapes: [][]int{{7}}, build: func(x []*Node) *Node { return Tanh(x[0]) }, ref: ew(math.Tanh)},
	{name: "Sigmoid", shapes: [][]int{{7}}, build: func(x []*Node) *Node { return Sigmoid(x[0]) }, ref: ew(sigm)},
	{name: "Softplus", shapes: [][]int{{7}}, build: func(x []*Node) *Node { return Softplus(x[0]) },
		ref: ew(func(v float64) float64 { return math.Log(1 + math.Exp(v)) })},
	{name: "SiLU", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return SiLU(x[0]) },
		ref: ew(func(v float64) float64 { return v * sigm(v) })},
	{name: "ELU", shapes: [][]int{{3, 5}}, inputs: awayZero, build: func(x []*Node) *Node { return ELU(x[0], 1.3) },
		ref: ew(func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 1.3 * (math.Exp(v) - 1)
		})},
	{name: "GELU", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return GELU(x[0]) },
		ref: ew(func(v float64) float64 {
			return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		})},
	{name: "ReLU", shapes: [][]int{{3, 5}}, inputs: awayZero, build: func(x []*Node) *Node { return ReLU(x[0]) },
		ref: ew(func(v float64) float64 { return math.Max(v, 0) })},
	{name: "Step", shapes: [][]int{{7}}, inputs: awayZero, build: func(x []*Node) *Node { return Mul(Step(x[0]), x[0]) },
		ref: ew(func(v float64) float64 { return math.Max(v, 0) })},
	{name: "ReduceSumAxis0", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return ReduceSum(x[0], []int{0}, false) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 5)
			for i, v := range x[0] {
				y[i%5] += v
			}
			return y
		}},
	{name: "ReduceMeanKeep", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return ReduceMean(x[0], []int{-1}, true) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 3)
			for i, v := range x[0] {
				y[i/5] += v / 5
			}
			return y
		}},
	{name: "ReduceMax", shapes: [][]int{{3, 5, 2}}, build: func(x []*Node) *Node { return ReduceMax(x[0], []int{0, 2}, false) },
		ref: func(x [][]float64) []float64 {
			y := []float64{-9, -9, -9, -9, -9}
			for i, v := range x[0] {
				y[i/2%5] = math.Max(y[i/2%5], v)
			}
			return y
		}},
	{name: "SumAll", shapes: [][]int{{2, 3, 5}}, build: func(x []*Node) *Node { return Sum(Square(x[0])) },
		ref: func(x [][]float64) []float64 { return []float64{dot(x[0], x[0])} }},
	{name: "Reshape", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return Mul(Reshape(x[0], 5, -1), x[0].graph.Const([]float64{1, 2, 3}, 3)) }},
	{name: "Transpose", shapes: [][]int{{2, 3, 5}}, build: func(x []*Node) *Node { return Transpose(x[0], 2, 0, 1) },
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
	{name: "Slice", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return Slice(x[0], []int{1, 1}, []int{3, 4}) },
		ref: func(x [][]float64) []float64 {
			v := x[0]
			return []float64{v[6], v[7], v[8], v[11], v[12], v[13]}
		}},
	{name: "Pad", shapes: [][]int{{2, 1}}, build: func(x []*Node) *Node { return Pad(x[0], []int{1, 0}, []int{0, 2}) },
		ref: func(x [][]float64) []float64 { return []float64{0, 0, 0, x[0][0], 0, 0, x[0][1], 0, 0} }},
	{name: "Concat", shapes: [][]int{{2, 2}, {2, 1}}, build: func(x []*Node) *Node { return Concat(-1, x[0], x[1]) },
		ref: func(x [][]float64) []float64 {
			a, b := x[0], x[1]
			return []float64{a[0], a[1], b[0], a[2], a[3], b[1]}
		}},
	{name: "BroadcastTo", shapes: [][]int{{3, 1}}, build: func(x []*Node) *Node { return BroadcastTo(x[0], 2, 3, 2) },
		ref: func(x [][]float64) []float64 {
			v := x[0]
			return []float64{v[0], v[0], v[1], v[1], v[2], v[2], v[0], v[0], v[1], v[1], v[2], v[2]}
		}},
	{name: "MatMul", shapes: [][]int{{3, 4}, {4, 5}}, build: func(x []*Node) *Node { return MatMul(x[0], x[1]) },
		ref: matRef(1, 3, 4, 5, false, false, false)},
	{name: "MatMulTA", shapes: [][]int{{4, 3}, {4, 5}}, build: func(x []*Node) *Node { return MatMulT(x[0], x[1], true, false) },
		ref: matRef(1, 3, 4, 5, true, false, false)},
	{name: "MatMulTB", shapes: [][]int{{3, 4}, {5, 4}}, build: func(x []*Node) *Node { return MatMulT(x[0], x[1], false, true) },
		ref: matRef(1, 3, 4, 5, false, true, false)},
	{name: "MatMulTATB", shapes: [][]int{{2, 4, 3}, {2, 5, 4}}, build: func(x []*Node) *Node { return MatMulT(x[0], x[1], true, true) },
		ref: matRef(2, 3, 4, 5, true, true, true)},
	{name: "MatMulBroadcastB", shapes: [][]int{{2, 3, 4}, {4, 5}}, build: func(x []*Node) *Node { return MatMul(x[0], x[1]) },
		ref: matRef(2, 3, 4, 5, false, false, false)},
	{name: "Conv2D", shapes: [][]int{{2, 3, 5, 5}, {4, 3, 3, 3}}, build: func(x []*Node) *Node { return Conv2D(x[0], x[1], conv1) },
		ref: convRef(2, 3, 5, 5, 4, 3, 1, 1)},
	{name: "Conv2DStride2", shapes: [][]int{{2, 3, 5, 5}, {2, 3, 3, 3}}, build: func(x []*Node) *Node { return Conv2D(x[0], x[1], conv2) },
		ref: convRef(2, 3, 5, 5, 2, 3, 2, 1)},
	{name: "Conv2D1x1", shapes: [][]int{{1, 3, 3, 5}, {2, 3, 1, 1}}, build: func(x []*Node) *Node { return Conv2D(x[0], x[1], Conv2DAttr{}) },
		ref: convRef(1, 3, 3, 5, 2, 1, 1, 0)},
	{name: "Conv2DBackData", shapes: [][]int{{2, 2, 3, 3}, {2, 3, 3, 3}},
		build: func(x []*Node) *Node { return Conv2DBackData(x[0], x[1], conv2, 5, 5) }},
	{name: "Conv2DBackFilter", shapes: [][]int{{2, 3, 5, 5}, {2, 2, 3, 3}},
		build: func(x []*Node) *Node { return Conv2DBackFilter(x[0], x[1], conv2, 3, 3) }},
	{name: "Upsample2x", shapes: [][]int{{1, 2, 2, 3}}, build: func(x []*Node) *Node { return Upsample2x(x[0]) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 48)
			for i := range y {
				c, h, w := i/24, i/6%4, i%6
				y[i] = x[0][c*6+h/2*3+w/2]
			}
			return y
		}},
	{name: "AvgPool2x", shapes: [][]int{{2, 3, 4, 6}}, build: func(x []*Node) *Node { return AvgPool2x(x[0]) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, 36)
			for i, v := range x[0] {
				nc, h, w := i/24, i/6%4, i%6
				y[nc*6+h/2*3+w/2] += v / 4
			}
			return y
		}},
	{name: "GroupNorm", shapes: [][]int{{2, 4, 3, 3}, {4}, {4}}, build: func(x []*Node) *Node { return GroupNorm(x[0], x[1], x[2], 2, 1e-5) },
		ref: func(x [][]float64) []float64 {
			y := make([]float64, len(x[0]))
			for ng := 0; ng < 4; ng++ { // 18 elements per (sample, group)
				m, v := 0.0, 0.0
				for i := 0; i < 18; i++ {
					m += x[0][ng*18+i] / 18
				}
				for i := 0; i < 18; i++ {
					v += (x[0][ng*18+i] - m) * (x[0][ng*18+i] - m) / 18
				}
				for i := 0; i < 18; i++ {
					c := (ng%2)*2 + i/9
					y[ng*18+i] = (x[0][ng*18+i]-m)/math.Sqrt(v+1e-5)*x[1][c] + x[2][c]
				}
			}
			return y
		}},
	{name: "Attention", shapes: [][]int{{2, 4, 3, 3}, {2, 4, 3, 3}, {2, 4, 3, 3}}, build: func(x []*Node) *Node { return Attention(x[0], x[1], x[2], 2) },
		ref: attentionRef(2, 4, 9, 2)},
	{name: "Attention1Head", shapes: [][]int{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}}, build: func(x []*Node) *Node { return Attention(x[0], x[1], x[2], 1) },
		ref: attentionRef(1, 3, 5, 1)},
	{name: "FourierEmbed", shapes: [][]int{{3}, {4}}, build: func(x []*Node) *Node { return FourierEmbed(x[0], x[1]) },
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
	{name: "SinusoidalEmbed", shapes: [][]int{{3}}, build: func(x []*Node) *Node { return SinusoidalEmbed(Scale(x[0], 5), 6, 100) },
		ref: func(x [][]float64) []float64 {
			var y []float64
			for _, t := range x[0] {
				y = append(y, math.Sin(5*t), math.Sin(5*t/10), math.Sin(5*t/100), math.Cos(5*t), math.Cos(5*t/10), math.Cos(5*t/100))
			}
			return y
		}},
	{name: "Dropout", shapes: [][]int{{3, 5}}, build: func(x []*Node) *Node { return Dropout(x[0], 0.3, 7) }},
}

// attentionRef computes attention with explicit score matrices.
func attentionRef(N, C, L, heads int) func(x [][]float64) []float64 {
	return func(x [][]float64) []float64 {
		q, k, v := x[0], x[1], x[2]
		d := C / heads
		y := make([]float64, len(q))
		at := func(t []float64, n, c, i int) float64 { return t[(n*C+c)*L+i] }
		for n := 0; n < N; n++ {
			for h := 0; h < heads; h++ {
				for i := 0; i < L; i++ {
					s := make([]float64, L)
					z := 0.0
					for j := range s {
						for c := h * d; c < (h+1)*d; c++ {
							s[j] += at(q, n, c, i) * at(k, n, c, j) / math.Sqrt(float64(d))
						}
						s[j] = math.Exp(s[j])
						z += s[j]
					}
					for c := h * d; c < (h+1)*d; c++ {
						for j := range s {
							y[(n*C+c)*L+i] += s[j] / z * at(v, n, c, j)
						}
					}
				}
			}
		}
		return y
	}
}

// TestOps checks every op's forward value against its reference, its VJP
// against central finite differences, and (unless noSecond) the gradient
// of its VJP, i.e. a Hessian-vector product, against finite differences of
// the VJP.
func TestOps(t *testing.T) {
	covered := map[OpKind]bool{}
	for ci, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 1))
			g := New()
			xs := make([]*Node, len(c.shapes))
			vals := make([][]float64, len(c.shapes))
			feeds := Feeds{}
			for i, s := range c.shapes {
				xs[i] = g.Input(fmt.Sprint("x", i), s...)
				vals[i] = randVals(r, Shape(s).Size(), c.inputs)
				feeds[xs[i]] = vals[i]
			}
			y := c.build(xs)
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, n := range g.Nodes() {
					covered[n.kind] = true
				}
			}()
			ref := NewReference()
			ref.Seed = 42
			if c.ref != nil {
				checkClose(t, "forward", run(t, ref, feeds, y)[0], c.ref(vals), 1e-12)
			}

			// L = sum(y * R) for a fixed random R.
			R := g.Const(randVals(r, y.shape.Size(), anyReal), y.shape...)
			loss := Sum(Mul(y, R))
			grads, err := Grad(loss, xs...)
			if err != nil {
				t.Fatal(err)
			}
			gv := run(t, ref, feeds, grads...)
			lossAt := func() float64 { return run(t, ref, feeds, loss)[0][0] }
			fdCheck(t, "VJP", vals, gv, lossAt, 1e-6)

			if c.noSecond {
				return
			}
			// Second order: H u = d/dx (grad . u), against FD of grad . u.
			us := make([]*Node, len(xs))
			terms := make([]*Node, len(xs))
			for i, x := range xs {
				us[i] = g.Const(randVals(r, x.shape.Size(), anyReal), x.shape...)
				terms[i] = Sum(Mul(grads[i], us[i]))
			}
			gu := terms[0]
			for _, tm := range terms[1:] {
				gu = Add(gu, tm)
			}
			hv, err := Grad(gu, xs...)
			if err != nil {
				t.Fatal(err)
			}
			hvv := run(t, ref, feeds, hv...)
			fdCheck(t, "second order", vals, hvv, func() float64 { return run(t, ref, feeds, gu)[0][0] }, 1e-5)
		})
	}
	t.Run("coverage", func(t *testing.T) {
		for k := OpFill; k < numOpKinds; k++ {
			switch k {
			case OpRandUniform, OpRandNormal, OpRandRademacher: // TestRandom
				continue
			}
			if !covered[k] {
				t.Errorf("op %v is not in the op table", k)
			}
		}
	})
}

// fdCheck compares grads (one per input of vals) with central differences
// of f, perturbing vals in place.
func fdCheck(t *testing.T, what string, vals, grads [][]float64, f func() float64, tol float64) {
	t.Helper()
	const h = 1e-5
	for i, v := range vals {
		fd := make([]float64, len(v))
		for j := range v {
			x := v[j]
			v[j] = x + h
			fp := f()
			v[j] = x - h
			fm := f()
			v[j] = x
			fd[j] = (fp - fm) / (2 * h)
		}
		checkClose(t, fmt.Sprintf("%s of input %d", what, i), grads[i], fd, tol)
	}
}
