package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/optest/fd"
)

// tanhChain compiles 20 Tanh steps of a 64x64 input.
func tanhChain(t *testing.T) *Program {
	t.Helper()
	g := New()
	h := g.Input("x", 64, 64)
	for i := 0; i < 20; i++ {
		h = Tanh(h)
	}
	p, err := Compile(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanChain(t *testing.T) {
	p := tanhChain(t)
	b := 64 * 64 * 4
	if p.Plan.SumBytes != 20*b || p.Plan.ArenaBytes != 2*b || p.Plan.LiveBytes != 2*b {
		t.Errorf("chain of 20: %v, want peak %d of sum %d", p.Plan, 2*b, 20*b)
	}
	if err := p.Plan.Validate(); err != nil {
		t.Error(err)
	}
}

// TestPlanRunEnd: steps 5..9 of a Tanh chain as one run keep every input
// of the run alive to its end, so no step of the run shares memory with
// one; outside the run, the chain still needs two buffers.
func TestPlanRunEnd(t *testing.T) {
	p := tanhChain(t)
	runEnd := make([]int, len(p.Steps))
	for i := range runEnd {
		runEnd[i] = i
		if i >= 5 && i <= 9 {
			runEnd[i] = 9
		}
	}
	plan := PlanMemory(p.Steps, p.Outputs, PlanOptions{RunEnd: runEnd})
	if err := plan.Validate(); err != nil {
		t.Fatal(err)
	}
	overlap := func(a, b Buffer) bool { return a.Offset < b.Offset+b.Bytes && b.Offset < a.Offset+a.Bytes }
	for i := 4; i <= 8; i++ { // the run's inputs: step 4's output and its members'
		if plan.Buffers[i].Last < 9 {
			t.Errorf("step %d's output dies at step %d, inside the run", i, plan.Buffers[i].Last)
		}
		for j := 5; j <= 9; j++ {
			if j > i && overlap(plan.Buffers[i], plan.Buffers[j]) {
				t.Errorf("steps %d and %d of the run share memory", i, j)
			}
		}
	}
	if b := 64 * 64 * 4; plan.ArenaBytes != 6*b {
		t.Errorf("arena %d bytes, want %d (the run's input and its 5 steps)", plan.ArenaBytes, 6*b)
	}
}

// TestPlanRandomGraphs checks planned against unplanned execution on random
// DAGs of ops with mixed sizes and several outputs.
func TestPlanRandomGraphs(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for trial := 0; trial < 40; trial++ {
		g := New()
		feeds := Feeds{}
		var pool []*Node
		for i := 0; i < 3; i++ {
			x := g.Input(fmt.Sprint("x", i), 1+r.IntN(5), 6)
			feeds[x] = fd.Draw(r, x.shape.Size(), fd.AnyReal)
			pool = append(pool, x)
		}
		pick := func() *Node { return pool[r.IntN(len(pool))] }
		for i := 0; i < 30; i++ {
			var n *Node
			switch r.IntN(6) {
			case 0:
				n = Tanh(pick())
			case 1:
				a := pick()
				n = Add(a, ReduceSum(pick(), []int{0}, true))
			case 2:
				a, b := pick(), pick()
				n = MatMulT(a, b, false, true) // [ra, rb]
				n = MatMul(n, b)               // [ra, 6]
			case 3:
				n = Mul(pick(), AddScalar(ReduceMean(pick(), []int{0}, true), 1))
			case 4:
				a := pick()
				n = Slice(Concat(0, a, pick()), []int{1, 0}, []int{1 + a.shape[0], 6})
			default:
				n = SiLU(Transpose(Transpose(pick(), 1, 0), 1, 0))
			}
			pool = append(pool, n)
		}
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		outs := []*Node{pool[len(pool)-1], pool[len(pool)-7], pool[5+r.IntN(20)]}
		ref := NewReference()
		p, err := Compile(&PlanOptions{Align: 4 * (1 + r.IntN(16))}, outs...)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Plan.Validate(); err != nil {
			t.Fatal(err)
		}
		a, err := ref.RunProgram(p, feeds)
		if err != nil {
			t.Fatal(err)
		}
		ref.Unplanned = true
		b, _ := ref.RunProgram(p, feeds)
		if !EqualBits(a, b) {
			t.Fatalf("trial %d: planned and unplanned runs differ", trial)
		}
	}
}

func TestDeadNodeElimination(t *testing.T) {
	g := New()
	x := g.Input("x", 4)
	unused := g.Input("unused", 4)
	_ = Exp(unused)
	y := Tanh(x)
	_ = Sigmoid(y) // dead
	p, err := Compile(nil, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || len(p.Leaves) != 1 || p.Leaves[0] != x {
		t.Errorf("steps %v, leaves %v", p.Steps, p.Leaves)
	}
	// The unused input need not be fed.
	if _, err := NewReference().Run(Feeds{x: []float64{1, 2, 3, 4}}, y); err != nil {
		t.Error(err)
	}
}

// TestPlanAlias: a reshape planned as its input's buffer shares its offset,
// keeps the input alive as long as itself, and passes Validate.
func TestPlanAlias(t *testing.T) {
	g := New()
	x := g.Input("x", 8, 8)
	a := Tanh(x)
	r := Reshape(a, 64)
	b := Exp(Tanh(Tanh(x))) // steps that could reuse a's memory once it is dead
	out := Add(Reshape(b, 64), r)
	p, err := Compile(nil, out)
	if err != nil {
		t.Fatal(err)
	}
	alias := make([]int, len(p.Steps))
	for i, n := range p.Steps {
		alias[i] = -1
		if n.kind == OpReshape {
			for j := 0; j < i; j++ {
				if p.Steps[j] == n.inputs[0] {
					alias[i] = j
				}
			}
		}
	}
	plan := PlanMemory(p.Steps, p.Outputs, PlanOptions{Alias: alias})
	if err := plan.Validate(); err != nil {
		t.Fatal(err)
	}
	ba, _ := plan.Buffer(a)
	br, _ := plan.Buffer(r)
	if br.Alias < 0 || br.Offset != ba.Offset || ba.Last < br.Last {
		t.Errorf("reshape %+v of %+v: not sharing its input's buffer for its lifetime", br, ba)
	}
	if plan.ArenaBytes >= PlanMemory(p.Steps, p.Outputs, PlanOptions{}).ArenaBytes+1 {
		t.Errorf("aliasing grew the arena to %d bytes", plan.ArenaBytes)
	}
}
