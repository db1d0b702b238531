package torchckpt

import (
	"strings"
	"testing"

	"github.com/nlpodyssey/gopickle/pytorch"
)

// TestCopyBudget: one storage named again and again (pickle makes a list
// [t]*N for two bytes an item) stops being copied once the file's tensors
// have copied twice its storages and the slack; distinct tensors over
// their own storages copy freely.
func TestCopyBudget(t *testing.T) {
	big := &pytorch.FloatStorage{Data: make([]float32, 1<<20)}
	tensor := &pytorch.Tensor{Source: big, Size: []int{1 << 20}, Stride: []int{1}}
	var b copyBudget
	var err error
	copies := 0
	for ; copies < 10 && err == nil; copies++ {
		_, err = toFloat32(tensor, &b)
	}
	if err == nil || !strings.Contains(err.Error(), "repeat a storage") || copies != 4 {
		t.Fatalf("after %d copies of one storage: %v, want the budget to stop the 4th", copies, err)
	}
	var fresh copyBudget
	for i := range 10 {
		own := &pytorch.Tensor{Source: &pytorch.FloatStorage{Data: make([]float32, 1<<20)}, Size: []int{1 << 20}, Stride: []int{1}}
		if _, err := toFloat32(own, &fresh); err != nil {
			t.Fatalf("tensor %d over its own storage: %v", i, err)
		}
	}
}
