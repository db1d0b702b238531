package vkexec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

func TestLoadIndex(t *testing.T) {
	for _, c := range []struct {
		out, strides [4]int
		div, mod     int
		ok           bool
	}{
		{[4]int{1, 1, 7, 13}, [4]int{0, 0, 13, 1}, 1, 0, true}, // same shape
		{[4]int{1, 1, 7, 13}, [4]int{0, 0, 0, 1}, 1, 13, true}, // a row
		{[4]int{1, 1, 7, 13}, [4]int{0, 0, 1, 0}, 13, 7, true}, // a column
		{[4]int{1, 1, 7, 13}, [4]int{0, 0, 0, 0}, 1, 1, true},  // a scalar
		{[4]int{2, 3, 4, 5}, [4]int{0, 4, 1, 0}, 5, 12, true},  // a middle block
		{[4]int{2, 3, 4, 5}, [4]int{3, 1, 0, 0}, 20, 6, true},  // a leading block
		{[4]int{2, 3, 4, 5}, [4]int{4, 0, 1, 0}, 0, 0, false},  // split by a broadcast dimension
		{[4]int{1, 1, 7, 13}, [4]int{0, 0, 1, 7}, 0, 0, false}, // transposed
		{[4]int{2, 3, 1, 5}, [4]int{0, 5, 0, 1}, 1, 15, true},  // a size-1 dimension inside the block
	} {
		div, mod, ok := loadIndex(c.out, c.strides)
		if ok != c.ok || (ok && (div != c.div || mod != c.mod)) {
			t.Errorf("loadIndex(%v, %v) = %d, %d, %v; want %d, %d, %v", c.out, c.strides, div, mod, ok, c.div, c.mod, c.ok)
		}
	}
}

// fusionCases are graphs whose elementwise runs hit each limit of a fused
// program: more instructions than slots, broadcast operands, a member read
// by a later non-elementwise step and one that is an output, more inputs
// and more inputs or stored members than bindings.
func fusionCases(r *rand.Rand) []struct {
	name    string
	outputs []*graph.Node
	feeds   graph.Feeds
} {
	type fc = struct {
		name    string
		outputs []*graph.Node
		feeds   graph.Feeds
	}
	var cases []fc
	{ // a Horner chain of 20 steps, with an output in the middle
		g := graph.New()
		x := g.Input("x", 300)
		y := graph.AddScalar(graph.Scale(x, 0.5), 1)
		var mid *graph.Node
		for i := 0; i < 20; i++ {
			y = graph.AddScalar(graph.Mul(y, x), 1/float64(i+2))
			if i == 7 {
				mid = y
			}
		}
		cases = append(cases, fc{"horner", []*graph.Node{graph.Exp(y), mid}, graph.Feeds{x: randv(r, 300)}})
	}
	{ // broadcasts, a fill, a reshape, and a member read by a matmul
		g := graph.New()
		x := g.Input("x", 7, 13)
		row, col, s := g.Input("row", 13), g.Input("col", 7, 1), g.Input("s", 1)
		y := graph.Sub(graph.Mul(x, row), col)
		y = graph.Div(graph.Sigmoid(y), graph.AddScalar(graph.Square(s), 1))
		y = graph.Add(y, g.Fill(0.25, 7, 13))
		m := graph.MatMul(y, graph.Reshape(graph.Tanh(graph.Reshape(x, 13, 7)), 13, 7))
		z := graph.Mul(graph.Reshape(graph.ELU(y, 0.3), 91), graph.Reshape(x, 91))
		cases = append(cases, fc{"broadcast", []*graph.Node{m, z}, graph.Feeds{x: randv(r, 91), row: randv(r, 13), col: randv(r, 7), s: randv(r, 1)}})
	}
	{ // broadcasts no load can index, and one across a size-1 dimension
		g := graph.New()
		x, y := g.Input("x", 2, 3, 4, 5), g.Input("y", 2, 1, 4, 1)
		u, v := g.Input("u", 2, 3, 1, 5), g.Input("v", 3, 1, 5)
		split := graph.Exp(graph.Mul(graph.Tanh(x), y))
		inner := graph.Exp(graph.Mul(graph.Tanh(u), v))
		cases = append(cases, fc{"split broadcast", []*graph.Node{split, inner}, graph.Feeds{x: randv(r, 120), y: randv(r, 8), u: randv(r, 30), v: randv(r, 15)}})
	}
	{ // eight inputs summed, five of the sums read after the run (or none)
		g := graph.New()
		var ins []*graph.Node
		feeds := graph.Feeds{}
		for i := 0; i < 8; i++ {
			in := g.Input(fmt.Sprint("in", i), 5, 11)
			ins = append(ins, in)
			feeds[in] = randv(r, 55)
		}
		ys := []*graph.Node{ins[0]}
		for _, in := range ins[1:] {
			ys = append(ys, graph.Add(graph.Scale(ys[len(ys)-1], 0.9), in))
		}
		outs := []*graph.Node{ys[7]}
		for _, y := range ys[1:6] {
			outs = append(outs, graph.Sum(y))
		}
		cases = append(cases, fc{"outputs", outs, feeds})
		sum := ins[0]
		for _, in := range ins[1:] {
			sum = graph.Add(sum, in)
		}
		cases = append(cases, fc{"inputs", []*graph.Node{graph.Exp(sum)}, feeds})
	}
	return cases
}

// TestFusedRuns runs each case with and without fusion against the
// reference executor, and checks that fusion cut the dispatches.
func TestFusedRuns(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	defer func(f bool) { fuseElementwise = f }(fuseElementwise)
	for _, c := range fusionCases(rand.New(rand.NewPCG(31, 32))) {
		t.Run(c.name, func(t *testing.T) {
			var dispatches [2]int
			for i, fuse := range []bool{false, true} {
				fuseElementwise = fuse
				p := compare(t, New(dev), graph.NewReference(), c.feeds, 1e-5, 1e-5, c.outputs...)
				dispatches[i], _ = p.seq.Stats()
				runs, longest := 0, 0
				for _, s := range p.segs {
					if s.fused != nil {
						runs++
						longest = max(longest, s.fused.prog.Len())
					}
				}
				if fuse && runs == 0 {
					t.Error("no fused run")
				}
				if longest > kernels.EwiseSlots {
					t.Errorf("a fused program of %d instructions", longest)
				}
			}
			if dispatches[1] >= dispatches[0] {
				t.Errorf("%d dispatches fused, %d not", dispatches[1], dispatches[0])
			}
		})
	}
}

// TestFusedRandomGraphs compares random elementwise graphs over [3 4 5]
// (unary, affine, reshapes, fills, and binary ops with every broadcast
// shape, some read by reductions) against the reference executor; fused
// programs stay within the kernel's limits.
func TestFusedRandomGraphs(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	full := []int{3, 4, 5}
	total := 0
	for seed := uint64(0); seed < 25; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		g := graph.New()
		feeds := graph.Feeds{}
		var pool, small []*graph.Node
		for i := 0; i < 2+r.IntN(8); i++ {
			x := g.Input(fmt.Sprint("x", i), full...)
			feeds[x] = randv(r, 60)
			pool = append(pool, x)
		}
		for i, s := range [][]int{{5}, {4, 1}, {3, 1, 1}, {1}, {3, 4, 1}, {3, 1, 5}, {1, 4, 1}} {
			x := g.Input(fmt.Sprint("s", i), s...)
			feeds[x] = randv(r, graph.Shape(s).Size())
			small = append(small, x)
		}
		var outs []*graph.Node
		for i := 0; i < 10+r.IntN(40); i++ {
			a := pool[r.IntN(len(pool))]
			if r.IntN(4) == 0 && len(pool) > 3 {
				a = pool[len(pool)-1-r.IntN(3)]
			}
			var y *graph.Node
			switch r.IntN(8) {
			case 0:
				y = graph.Tanh(a)
			case 1:
				y = graph.AddScalar(graph.Scale(a, 0.7), 0.1)
			case 2:
				y = graph.Mul(a, small[r.IntN(len(small))])
			case 3:
				y = graph.Add(small[r.IntN(len(small))], a)
			case 4:
				y = graph.Sub(a, pool[r.IntN(len(pool))])
			case 5:
				y = graph.Reshape(graph.Reshape(a, 60), full...)
			case 6:
				y = graph.Add(a, g.Fill(0.5, full...))
			default:
				y = graph.Mul(a, a)
			}
			pool = append(pool, y)
			if r.IntN(6) == 0 {
				outs = append(outs, y)
			}
			if r.IntN(8) == 0 {
				outs = append(outs, graph.Sum(y))
				pool = append(pool, graph.Mul(y, graph.Reshape(graph.Sum(y), 1)))
			}
		}
		outs = append(outs, pool[len(pool)-1])
		gp, err := graph.Compile(nil, outs...)
		if err != nil {
			t.Fatal(err)
		}
		used := graph.Feeds{}
		for _, l := range gp.Leaves {
			if v, ok := feeds[l]; ok {
				used[l] = v
			}
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			p := compare(t, New(dev), graph.NewReference(), used, 1e-4, 1e-4, outs...)
			for _, s := range p.segs {
				if f := s.fused; f != nil {
					total++
					if f.prog.Len() > kernels.EwiseSlots || f.prog.Inputs > kernels.EwiseInputs || f.prog.Outputs > kernels.EwiseOutputs {
						t.Errorf("a program of %d instructions, %d inputs, %d outputs", f.prog.Len(), f.prog.Inputs, f.prog.Outputs)
					}
				}
			}
		})
	}
	if total == 0 {
		t.Error("no fused run in any graph")
	}
}
