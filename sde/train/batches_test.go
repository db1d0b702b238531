package train

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sdevk/sdevk/data"
)

// TestPointBatchLabels: a Gaussian mixture's batches carry the component
// of each point, and are the points an unlabelled draw gives (so a score
// run's batches do not change); other data have no labels.
func TestPointBatchLabels(t *testing.T) {
	mix, err := data.Builtin("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	src := pointBatches{ds: mix, batch: 16, seed: 5}
	x := make([]float32, 32)
	labels, err := src.fill(3, x)
	if err != nil {
		t.Fatal(err)
	}
	want := mix.Sample(16, rand.New(rand.NewPCG(5, 3)))
	for i, v := range want {
		if x[i] != float32(v) {
			t.Fatalf("value %d: %v, want %v", i, x[i], v)
		}
	}
	xs := make([]float64, len(x))
	for i, v := range x {
		xs[i] = float64(v)
	}
	if got := data.EightGaussians().Assign(xs); !slices.Equal(labels, got) {
		t.Errorf("labels %v, nearest components %v", labels, got)
	}
	roll, err := data.Builtin("swiss_roll")
	if err != nil {
		t.Fatal(err)
	}
	if labels, err := (pointBatches{ds: roll, batch: 16, seed: 5}).fill(3, x); err != nil || labels != nil {
		t.Errorf("swiss roll: labels %v, error %v; want none", labels, err)
	}
}
