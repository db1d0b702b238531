package graph_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
)

// TestPlanUNet runs model's U-Net training step with the planned arena and
// with a buffer per node: the results must be bit-identical, the plan valid
// and its peak under half the sum of the intermediates.
func TestPlanUNet(t *testing.T) {
	step, err := model.NewUNetStep(model.UNetStepConfig{Batch: 2, Channels: 4, Size: 8, Groups: 2, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(8, 8))
	uniform := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * (2*r.Float64() - 1)
		}
		return v
	}
	ref := graph.NewReference()
	for _, p := range step.Params {
		ref.Params[p.Name()] = uniform(p.Shape().Size(), 0.5)
	}
	feeds := graph.Feeds{step.X: uniform(step.X.Shape().Size(), 1.5), step.Target: uniform(step.Target.Shape().Size(), 1.5)}
	p, err := graph.Compile(nil, step.Outputs()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(p.Plan, len(p.Steps), "steps")
	if err := p.Plan.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Plan.ArenaBytes > p.Plan.SumBytes/2 || p.Plan.LiveBytes > p.Plan.ArenaBytes {
		t.Errorf("plan %v: want peak <= half the sum", p.Plan)
	}
	planned, err := ref.RunProgram(p, feeds)
	if err != nil {
		t.Fatal(err)
	}
	ref.Unplanned = true
	plain, err := ref.RunProgram(p, feeds)
	if err != nil {
		t.Fatal(err)
	}
	if !graph.EqualBits(planned, plain) {
		t.Fatal("planned and unplanned runs differ")
	}
	for _, v := range planned {
		if slices.ContainsFunc(v, math.IsNaN) {
			t.Fatal("NaN in results")
		}
	}

	// A planner bug that puts a buffer over one still to be read must be
	// caught by Validate and must change the results.
	ref.Unplanned = false
	bufs := p.Plan.Buffers
	tried := 0
	for i := 0; i < len(bufs) && tried < 5; i++ {
		for j := i + 1; j < len(bufs) && tried < 5; j++ {
			if bufs[i].Last <= j || bufs[j].Bytes < bufs[i].Bytes || bufs[i].Last == len(bufs) {
				continue
			}
			tried++
			saved := bufs[j].Offset
			bufs[j].Offset = bufs[i].Offset
			if p.Plan.Validate() == nil {
				t.Errorf("Validate missed buffers %d and %d overlapping", i, j)
			}
			bad, err := ref.RunProgram(p, feeds)
			if err != nil {
				t.Fatal(err)
			}
			if graph.EqualBits(bad, plain) {
				t.Errorf("aliasing %v over %v did not change the results", bufs[j].Node, bufs[i].Node)
			}
			bufs[j].Offset = saved
		}
	}
	if tried == 0 {
		t.Fatal("no buffer pair to corrupt")
	}
}
