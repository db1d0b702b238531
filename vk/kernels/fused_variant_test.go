package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestAXPBYPCZShapes checks the CPU-type variant's chunking: sizes around
// the SIMD-pass, unroll-step and chunk boundaries, in place and not.
func TestAXPBYPCZShapes(t *testing.T) {
	l := testLib(t)
	if !l.Dev.Info.IsCPU() {
		t.Skip("the chunked variant is tuned for CPU-type devices only")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const a, b, c = 0.75, -1.5, 0.125
	for _, v := range []struct{ groups, local, unroll int }{{1, 8, 1}, {2, 8, 1}, {3, 16, 2}, {5, 8, 4}, {64, 8, 1}} {
		for _, n := range []int{1, 4, 31, 32, 33, 63, 64, 65, 4*8*4*5 - 1, 4 * 8 * 4 * 5, 4*8*4*5 + 3, 1 << 22} {
			t.Run(fmt.Sprintf("groups=%d/local=%d/unroll=%d/n=%d", v.groups, v.local, v.unroll, n), func(t *testing.T) {
				l.Tuning.Fused = Chunking{Groups: v.groups, Local: v.local, Unroll: v.unroll}
				checkAXPBYPCZ(t, l, rng, n, a, b, c)
			})
		}
	}
}
