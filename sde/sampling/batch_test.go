package sampling

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestBatchLimit(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name            string
		n               int
		perPoint        uint64
		binding, budget uint64
		maxBatch, want  int
	}{
		{"fits", 10000, 200, 128 * mib, 4096 * mib, 0, 10000},
		{"binding limit", 500_000_000, 200, 128 * mib, 4096 * mib, 0, 128 * mib / 200},
		{"memory budget", 500_000_000, 200, 4096 * mib, 128 * mib, 0, 128 * mib / 200},
		{"forced", 1000, 200, 128 * mib, 4096 * mib, 64, 64},
		{"unmeasured", 1000, 0, 0, 0, 0, 1000},
		{"one point too big", 10, 256 * mib, 128 * mib, 4096 * mib, 0, 1},
	} {
		if got := batchLimit(tc.n, tc.perPoint, tc.binding, tc.budget, tc.maxBatch); got != tc.want {
			t.Errorf("%s: batch %d, want %d", tc.name, got, tc.want)
		}
	}
	seen := map[uint64]bool{}
	for k := 0; k < 1000; k++ {
		seen[BatchSeed(7, k)] = true
	}
	if BatchSeed(7, 0) != 7 || len(seen) != 1000 {
		t.Errorf("batch seeds: batch 0 %d, %d distinct of 1000", BatchSeed(7, 0), len(seen))
	}
}

// TestDeviceBatches: a request larger than MaxBatch runs in batches that
// give, bit for bit, what one batch of all points gives, and so does a
// request for points first.. of the run on its own; batched
// likelihoods agree with one batch; a batch that runs out of device memory
// is halved; a cancelled context stops the run.
func TestDeviceBatches(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	const n, d, seed = 300, 2, 11
	r, err := NewRequest(c, EM, n, d, seed, OracleModel(data.EightGaussians()))
	if err != nil {
		t.Fatal(err)
	}
	batched, _, err := (&Device{Dev: dev, MaxBatch: 128}).Sample(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	whole, _, err := (&Device{Dev: dev}).Sample(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range whole {
		if batched[i] != v {
			t.Fatalf("value %d: %v in batches of 128, %v in one batch", i, batched[i], v)
		}
	}
	for _, first := range []int{1, 128, 299} {
		part := r
		part.First, part.N = first, min(37, n-first)
		x, _, err := (&Device{Dev: dev}).Sample(context.Background(), part)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			if got := whole[first*d+i]; got != v {
				t.Fatalf("points from %d, value %d: %v, in the whole run %v", first, i, v, got)
			}
		}
	}

	pts := data.EightGaussians().Sample(n, rand.New(rand.NewPCG(4, 4)))
	s, _ := c.NewSDE(0)
	lr := LikelihoodRequest{SDE: s, Dim: d, X: pts, Seed: 3, RTol: 1e-5, ATol: 1e-5, Score: OracleModel(data.EightGaussians())}
	oneLik, err := (&Device{Dev: dev}).LogLikelihood(context.Background(), lr)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := (&Device{Dev: dev, MaxBatch: 100}).LogLikelihood(context.Background(), lr)
	if err != nil {
		t.Fatal(err)
	}
	for i := range oneLik.LogP {
		if math.Abs(oneLik.LogP[i]-parts.LogP[i]) > 1e-2 {
			t.Fatalf("point %d: log p %v in one batch, %v in batches of 100", i, oneLik.LogP[i], parts.LogP[i])
		}
	}
	if math.Abs(oneLik.MeanLogP-parts.MeanLogP) > 1e-3 || parts.NFE == 0 {
		t.Errorf("mean log p %v vs %v, NFE %d", oneLik.MeanLogP, parts.MeanLogP, parts.NFE)
	}

	// Allocation 5 is the first of batch 0 (1-4 measure the probe batch).
	short := vktest.Open(t, vk.Options{Faults: &vk.Faults{Alloc: 5, Result: vk.OutOfDeviceMemory}})
	x, _, err := (&Device{Dev: short}).Sample(context.Background(), r)
	if err != nil || len(x) != n*d {
		t.Fatalf("after a failed allocation: %d values, %v", len(x), err)
	}

	// Allocation 1 is the probe batch itself: the probe is halved, not the
	// run refused (n is over the probe's 256 points).
	probeShort := vktest.Open(t, vk.Options{Faults: &vk.Faults{Alloc: 1, Result: vk.OutOfDeviceMemory}})
	if x, _, err := (&Device{Dev: probeShort}).Sample(context.Background(), r); err != nil || len(x) != n*d {
		t.Fatalf("after a failed probe allocation: %d values, %v", len(x), err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := (&Device{Dev: dev, MaxBatch: 128}).Sample(ctx, r); !errors.Is(err, ErrInterrupted) {
		t.Errorf("a cancelled run returned %v", err)
	}
}
