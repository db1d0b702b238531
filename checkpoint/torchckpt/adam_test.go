package torchckpt

import (
	"slices"
	"testing"
)

// tiny.pth holds Adam's state of all_modules.1.weight only, its step a
// one-element tensor as PyTorch >= 1.12 writes it.
func TestReadScoreSDEAdamState(t *testing.T) {
	c, err := Read(tinyPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Adam) != 1 {
		t.Fatalf("Adam state of %d parameters, want 1", len(c.Adam))
	}
	specs := []Spec{
		{Name: "all_modules.0.W", Shape: []int{1}, Frozen: true},
		{Name: "all_modules.1.weight", Shape: []int{2, 3}},
		{Name: "all_modules.1.bias", Shape: []int{2}},
	}
	m, v, step := c.AdamMoments(specs)
	if step != 7 {
		t.Errorf("step %d, want 7", step)
	}
	if !slices.Equal(m["all_modules.1.weight"].Data, []float32{0.01, -0.02, 0.03, -0.04, 0.05, -0.06}) {
		t.Errorf("exp_avg %v", m["all_modules.1.weight"].Data)
	}
	if !slices.Equal(v["all_modules.1.weight"].Data, []float32{1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4}) {
		t.Errorf("exp_avg_sq %v", v["all_modules.1.weight"].Data)
	}
	if b := m["all_modules.1.bias"]; !slices.Equal(b.Shape, []int{2}) || !slices.Equal(b.Data, []float32{0, 0}) {
		t.Errorf("bias without state: m %v %v, want zeros of shape [2]", b.Shape, b.Data)
	}
	if _, ok := m["all_modules.0.W"]; ok {
		t.Error("the frozen W has moments")
	}
}

func TestAdamStepForms(t *testing.T) {
	for _, tc := range []struct {
		value any
		want  int
		ok    bool
	}{{12, 12, true}, {-1, 0, false}, {"3", 0, false}} {
		got, err := adamStep(dict{{"step", tc.value}}, &copyBudget{})
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("step %v: %d, %v; want %d, ok %v", tc.value, got, err, tc.want, tc.ok)
		}
	}
	if _, err := adamStep(dict{}, &copyBudget{}); err == nil {
		t.Error("a state without step accepted")
	}
}
