package vkexec

import (
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// TestUNetShapedStepMatchesReference: model's U-Net-shaped training step
// (loss and every weight gradient) agrees with the reference executor, and
// its planned arena is under half the sum of its intermediates.
func TestUNetShapedStepMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(15, 16))
	step, err := model.NewUNetStep(model.UNetStepConfig{Batch: 2, Channels: 4, Size: 8, Groups: 2, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	ref := graph.NewReference()
	for _, p := range step.Params {
		vals := randv(r, p.Shape().Size())
		for i := range vals {
			vals[i] *= 0.5
		}
		ref.Params[p.Name()] = vals
	}
	feeds := graph.Feeds{step.X: randv(r, step.X.Shape().Size()), step.Target: randv(r, step.Target.Shape().Size())}
	p := compare(t, e, ref, feeds, 2e-4, 2e-5, step.Outputs()...)
	// On devices whose convolutions are Winograd F(4x4, 3x3), the filter
	// gradients above came from the forward's kept input transforms.
	if tu := e.Lib.Tuning; tu.ConvAuto == kernels.ConvWinograd && tu.WinogradTile == 4 && len(p.kept) == 0 {
		t.Error("no convolution kept its transformed input for its filter gradient")
	}
	// Recording the program again (a trainer records it into a sequence of
	// its own) reuses the buffers that keep the transforms.
	before := maps.Clone(p.saved)
	seq, err := dev.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Destroy()
	if err := seq.Begin(); err != nil {
		t.Fatal(err)
	}
	if err := p.RecordInto(seq); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(before, p.saved) || len(p.saved) != len(p.kept) {
		t.Errorf("recording again kept %d transforms in new buffers (had %d)", len(p.saved), len(before))
	}
	plan := p.Plan()
	if float64(plan.ArenaBytes) > 0.5*float64(plan.SumBytes) {
		t.Errorf("planned peak %d bytes is above half the unplanned sum %d", plan.ArenaBytes, plan.SumBytes)
	}
	t.Logf("%d steps; %v", len(p.Program.Steps), plan)
}
