package optest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/optest/fd"
)

// Executor is an implementation under test. Run computes the outputs of a
// graph whose leaves are Inputs and Consts (no Params), with random nodes
// keyed by seed and step, and returns their values row-major.
type Executor interface {
	Run(seed uint64, step uint32, feeds graph.Feeds, outputs ...*graph.Node) ([][]float64, error)
}

// The run state of every case: a step other than 0 checks that executors
// key random draws by it.
const (
	runSeed = 42
	runStep = 3
)

// Tolerance accepts a value whose difference from the wanted one is at
// most Abs or at most Rel times the wanted value's magnitude.
type Tolerance struct{ Rel, Abs float64 }

// check reports the first mismatches of got against want.
func (tol Tolerance) check(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad := 0
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if !(d <= tol.Abs || d <= tol.Rel*math.Abs(want[i])) {
			if bad < 5 {
				t.Errorf("%s[%d] = %.10g, want %.10g (|diff| %.3g, tolerance %+v)", what, i, got[i], want[i], d, tol)
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(got))
	}
}

// reference is the float64 reference executor of package graph.
type reference struct{ r *graph.Reference }

// NewReference returns the reference executor (graph.Reference) as an
// Executor: the oracle Run compares every executor with.
func NewReference() Executor { return reference{graph.NewReference()} }

func (e reference) Run(seed uint64, step uint32, feeds graph.Feeds, outputs ...*graph.Node) ([][]float64, error) {
	e.r.Seed, e.r.Step = seed, step
	return e.r.Run(feeds, outputs...) // compiled once per graph and outputs
}

// instance is one case built into a graph: its value y, the VJP of the
// loss sum(y*R) for a fixed random R, and the Hessian-vector products
// d/dx (VJP . u) for a fixed random u.
type instance struct {
	vals  [][]float64 // the inputs' values, shared with feeds
	feeds graph.Feeds
	y     *graph.Node
	loss  *graph.Node
	grads []*graph.Node // d loss / d x_i
	gu    *graph.Node   // sum_i grads_i . u_i, nil for noSecond
	hv    []*graph.Node // d gu / d x_i
}

// instantiate builds case ci with inputs drawn from its own stream.
func instantiate(ci int) (*instance, error) {
	c := cases[ci]
	r := rand.New(rand.NewPCG(uint64(ci), 1))
	g := graph.New()
	in := &instance{feeds: graph.Feeds{}}
	xs := make([]*graph.Node, len(c.shapes))
	for i, s := range c.shapes {
		xs[i] = g.Input(fmt.Sprint("x", i), s...)
		v := fd.Draw(r, graph.Shape(s).Size(), c.inputs)
		in.vals = append(in.vals, v)
		in.feeds[xs[i]] = v
	}
	in.y = c.build(xs)
	if err := g.Err(); err != nil {
		return nil, err
	}
	R := g.Const(fd.Draw(r, in.y.Shape().Size(), fd.AnyReal), in.y.Shape()...)
	in.loss = graph.Sum(graph.Mul(in.y, R))
	var err error
	if in.grads, err = graph.Grad(in.loss, xs...); err != nil {
		return nil, err
	}
	if c.noSecond {
		return in, nil
	}
	for i, x := range xs {
		u := g.Const(fd.Draw(r, x.Shape().Size(), fd.AnyReal), x.Shape()...)
		term := graph.Sum(graph.Mul(in.grads[i], u))
		if in.gu == nil {
			in.gu = term
		} else {
			in.gu = graph.Add(in.gu, term)
		}
	}
	if in.hv, err = graph.Grad(in.gu, xs...); err != nil {
		return nil, err
	}
	return in, g.Err()
}

// outputs lists what Run compares, with names for the messages.
func (in *instance) outputs() ([]*graph.Node, []string) {
	outs, names := []*graph.Node{in.y}, []string{"value"}
	for i, gr := range in.grads {
		outs, names = append(outs, gr), append(names, fmt.Sprint("VJP of x", i))
	}
	for i, h := range in.hv {
		outs, names = append(outs, h), append(names, fmt.Sprint("second order of x", i))
	}
	return outs, names
}

// run runs outputs of an instance on exec, failing t if it cannot.
func run(t *testing.T, exec Executor, in *instance, outs ...*graph.Node) [][]float64 {
	t.Helper()
	got, err := exec.Run(runSeed, runStep, in.feeds, outs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(outs) {
		t.Fatalf("%d results for %d outputs", len(got), len(outs))
	}
	return got
}

// Run runs every case on exec, in one run per case, and compares its
// value with the case's own reference and its value, VJP and second-order
// products with the reference executor's, all within tol.
func Run(t *testing.T, exec Executor, tol Tolerance) {
	oracle := NewReference()
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := instantiate(ci)
			if err != nil {
				t.Fatal(err)
			}
			outs, names := in.outputs()
			got := run(t, exec, in, outs...)
			if c.ref != nil {
				tol.check(t, "value against the case's reference", got[0], c.ref(in.vals))
			}
			want := run(t, oracle, in, outs...)
			for i := range outs {
				tol.check(t, names[i], got[i], want[i])
			}
		})
	}
}

// FiniteDifferences checks every case's VJP and second-order products on
// exec against central differences of exec's own loss and VJP. Only a
// float64 executor is precise enough for that; others are compared with it
// by Run.
func FiniteDifferences(t *testing.T, exec Executor) {
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := instantiate(ci)
			if err != nil {
				t.Fatal(err)
			}
			at := func(n *graph.Node) func() float64 {
				return func() float64 { return run(t, exec, in, n)[0][0] }
			}
			outs, names := in.outputs()
			got := run(t, exec, in, outs...)
			nx := len(in.vals)
			fdCheck(t, names[1:1+nx], in.vals, got[1:1+nx], at(in.loss), Tolerance{Rel: 1e-6, Abs: 1e-6})
			if in.gu != nil {
				fdCheck(t, names[1+nx:], in.vals, got[1+nx:], at(in.gu), Tolerance{Rel: 1e-5, Abs: 1e-5})
			}
		})
	}
}

// fdCheck compares grads (one per input of vals) with central differences
// of f.
func fdCheck(t *testing.T, names []string, vals, grads [][]float64, f func() float64, tol Tolerance) {
	t.Helper()
	for i, want := range fd.Central(vals, f) {
		tol.check(t, names[i]+" against finite differences", grads[i], want)
	}
}

// Coverage fails for every op kind that no case's graphs contain and, when
// supports is not nil, for every kind it reports unsupported (an executor
// without a lowering for it).
func Coverage(t *testing.T, supports func(graph.OpKind) bool) {
	covered := map[graph.OpKind]bool{}
	for ci := range cases {
		in, err := instantiate(ci)
		if err != nil {
			t.Fatalf("case %s: %v", cases[ci].name, err)
		}
		for _, n := range in.y.Graph().Nodes() {
			covered[n.Kind()] = true
		}
	}
	for _, k := range graph.OpKinds() {
		if !covered[k] {
			t.Errorf("op %v has no case in the op table (graph/optest/cases.go)", k)
		}
		if supports != nil && !supports(k) {
			t.Errorf("op %v is not supported by the executor", k)
		}
	}
}
