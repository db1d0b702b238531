package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/graph/optest/fd"
	"github.com/sdevk/sdevk/graph/rng"
)

func TestShapeErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *Graph) *Node
		want  []string // substrings of the error
	}{
		{"Add", func(g *Graph) *Node { return Add(g.Input("a", 3, 5), g.Input("b", 4)) }, []string{"Add", "[3 5]", "[4]"}},
		{"MatMul", func(g *Graph) *Node { return MatMul(g.Input("a", 3, 4), g.Input("b", 5, 6)) }, []string{"MatMul", "[3 4]", "[5 6]"}},
		{"MatMulBatch", func(g *Graph) *Node { return MatMul(g.Input("a", 2, 3, 4), g.Input("b", 3, 4, 6)) }, []string{"MatMul", "[2 3 4]", "[3 4 6]"}},
		{"Conv2D", func(g *Graph) *Node {
			return Conv2D(g.Input("x", 1, 3, 5, 5), g.Input("w", 4, 2, 3, 3), Conv2DAttr{})
		}, []string{"Conv2D", "[1 3 5 5]", "[4 2 3 3]"}},
		{"Reshape", func(g *Graph) *Node { return Reshape(g.Input("x", 3, 5), 4, 4) }, []string{"Reshape", "[3 5]", "[4 4]"}},
		{"Concat", func(g *Graph) *Node { return Concat(0, g.Input("a", 2, 3), g.Input("b", 2, 4)) }, []string{"Concat", "[2 3]", "[2 4]"}},
		{"GroupNorm", func(g *Graph) *Node { return GroupNormalize(g.Input("x", 2, 6, 3, 3), 4, 1e-5) }, []string{"GroupNorm", "[2 6 3 3]"}},
		{"Attention", func(g *Graph) *Node {
			return Attention(g.Input("q", 1, 4, 9), g.Input("k", 1, 4, 8), g.Input("v", 1, 4, 9), 2)
		}, []string{"Attention", "[1 4 9]", "[1 4 8]"}},
		{"AvgPoolOdd", func(g *Graph) *Node { return AvgPool2x(g.Input("x", 1, 1, 5, 4)) }, []string{"AvgPool2x", "[1 1 5 4]"}},
		{"ReduceAxis", func(g *Graph) *Node { return ReduceSum(g.Input("x", 3), []int{1}, false) }, []string{"ReduceSum", "[3]"}},
		{"Slice", func(g *Graph) *Node { return Slice(g.Input("x", 3), []int{1}, []int{4}) }, []string{"Slice", "[3]"}},
		{"DuplicateName", func(g *Graph) *Node { g.Param("w", 2); return g.Input("w", 2) }, []string{"w", "already"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := New()
			n := c.build(g)
			err := g.Err()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			// Poisoned nodes propagate; the first error stays.
			m := Tanh(Add(n, g.Input("late", 1)))
			if m.Kind() != OpInvalid || g.Err() != err {
				t.Errorf("after an error: node %v, error %v", m, g.Err())
			}
			if _, err := Compile(nil, m); err == nil {
				t.Error("Compile accepted a graph with an error")
			}
			if _, err := NewReference().Run(nil, m); err == nil {
				t.Error("Run accepted a graph with an error")
			}
		})
	}
}

func TestRandom(t *testing.T) {
	g := New()
	nodes := []*Node{g.RandUniform(3, 2, 5), g.RandNormal(3, 2, 5), g.RandRademacher(4, 2, 5)}
	fills := []func([]float64, rng.Key){rng.Uniform, rng.Normal, rng.Rademacher}
	ref := NewReference()
	ref.Seed, ref.Step = 77, 5
	got := run(t, ref, nil, nodes...)
	for i, n := range nodes {
		want := make([]float64, 10)
		fills[i](want, rng.Key{Seed: 77, Stream: n.Attr().(RandAttr).Stream, Step: 5})
		checkClose(t, n.Kind().String(), got[i], want, 0)
	}
	ref.Step = 6
	if again := run(t, ref, nil, nodes[1])[0]; again[0] == got[1][0] {
		t.Error("RandNormal did not change with Step")
	}

	// Dropout keeps about 1-rate of the elements, scaled by 1/(1-rate).
	x := g.Fill(1, 10000)
	y := run(t, ref, nil, Dropout(x, 0.25, 9))[0]
	kept := 0
	for _, v := range y {
		switch v {
		case 0:
		case 1 / 0.75:
			kept++
		default:
			t.Fatalf("dropout value %g", v)
		}
	}
	if f := float64(kept) / 1e4; math.Abs(f-0.75) > 0.02 {
		t.Errorf("kept fraction %g, want 0.75", f)
	}
}

// TestComposites compares fused ops with their compositions of simpler ops.
func TestComposites(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	cases := []struct {
		name   string
		shapes [][]int
		build  func(x []*Node) *Node
	}{
		{"GroupNorm", [][]int{{2, 6, 3, 5}}, func(x []*Node) *Node { return GroupNormalize(x[0], 3, 1e-6) }},
		{"GroupNormGrad", [][]int{{2, 6, 3, 5}, {2, 6, 3, 5}}, func(x []*Node) *Node {
			return GroupNormGrad(x[0], x[1], 2, 1e-5)
		}},
		{"Attention", [][]int{{2, 6, 3, 5}, {2, 6, 3, 5}, {2, 6, 3, 5}}, func(x []*Node) *Node { return Attention(x[0], x[1], x[2], 3) }},
		{"AttentionGrad", [][]int{{2, 4, 7}, {2, 4, 7}, {2, 4, 7}, {2, 4, 7}}, func(x []*Node) *Node {
			return AttentionGrad(x[0], x[1], x[2], x[3], 2)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := New()
			feeds := Feeds{}
			var xs []*Node
			for i, s := range c.shapes {
				x := g.Input(string(rune('a'+i)), s...)
				feeds[x] = fd.Draw(r, x.shape.Size(), fd.AnyReal)
				xs = append(xs, x)
			}
			y := c.build(xs)
			comp := registry[y.kind].composite(y, y.inputs)
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			res := run(t, NewReference(), feeds, y, comp)
			checkClose(t, "fused vs composite", res[0], res[1], 1e-12)
		})
	}
}

func TestFloat32Rounding(t *testing.T) {
	g := New()
	x := g.Input("x", 1)
	y := Scale(x, 1.0/3)
	ref := NewReference()
	ref.Float32 = true
	got := run(t, ref, Feeds{x: []float64{1}}, y)[0][0]
	if got != float64(float32(1.0/3)) {
		t.Errorf("got %v, want float32 rounding", got)
	}
}
