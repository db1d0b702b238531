package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

var attentionShapes = []AttentionShape{
	{N: 2, C: 6, L: 37, Heads: 2},  // d = 3
	{N: 1, C: 16, L: 70, Heads: 1}, // d = 16, L over one tile
	{N: 3, C: 8, L: 5, Heads: 4},   // d = 2, L below the group
	{N: 1, C: 40, L: 33, Heads: 2}, // d = 20
	{N: 1, C: 48, L: 19, Heads: 1}, // d = 48
}

// TestAttention checks both variants (CPU-type registers and GPU-type
// shared-memory tiles) of the forward and backward against the float64
// reference, and that the backward is bit-for-bit repeatable.
func TestAttention(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, variant := range []bool{true, false} {
		l.Tuning.AttnRegisters = variant
		for _, s := range attentionShapes {
			testAttentionShape(t, l, rng, s)
		}
	}
	if err := l.AttentionForward(nil, nil, nil, nil, nil, nil, AttentionShape{N: 1, C: 6, L: 4, Heads: 4}); err == nil {
		t.Error("6 channels were split into 4 heads")
	}
}

// TestAttentionUNetShapes runs both variants at score_sde's attention
// shapes: one head over all channels (256 at 16x16 in DDPM and NCSN++ on
// CIFAR-10, 512 at 4x4 at most), and many positions with few channels. On
// llvmpipe the larger ones take the GEMM path (attention_gemm.go) whatever
// the variant.
func TestAttentionUNetShapes(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, variant := range []bool{true, false} {
		l.Tuning.AttnRegisters = variant
		for _, s := range []AttentionShape{
			{N: 1, C: 256, L: 16 * 16, Heads: 1},
			{N: 2, C: 512, L: 4 * 4, Heads: 1},
			{N: 1, C: 4, L: 32 * 32, Heads: 1},
		} {
			if !variant && l.attnViaGemm(s) {
				continue // the same GEMM path as the other variant
			}
			testAttentionShape(t, l, rng, s)
		}
	}
	// On llvmpipe the shapes above take the GEMM path; with scratch for
	// one head's scores it runs head by head. Marking the device
	// loop-limited sends it there on any device.
	l.Tuning.LoopLimited = true
	l.Tuning.ConvIm2colScratchBytes = 4 * 96 * 96
	testAttentionShape(t, l, rng, AttentionShape{N: 3, C: 128, L: 96, Heads: 1})
	// Rows of scores that are not whole vec4s (softmax_rows' scalar path).
	testAttentionShape(t, l, rng, AttentionShape{N: 2, C: 128, L: 67, Heads: 1})
}

// testAttentionShape checks the forward and backward of shape s with the
// tuning's variant against the float64 reference, and that the backward is
// bit-for-bit repeatable.
func testAttentionShape(t *testing.T, l *Lib, rng *rand.Rand, s AttentionShape) {
	t.Helper()
	n := s.Size()
	q, k, v, gy := randn(rng, n, 1.5, 0), randn(rng, n, 1.5, 0), randn(rng, n, 1, 0), randn(rng, n, 1, 0)
	wantO, wantLSE := ref.Attention(q, k, v, s)
	wdq, wdk, wdv := ref.AttentionGrad(q, k, v, gy, s)
	qb, kb, vb, gb := upload(t, l, q), upload(t, l, k), upload(t, l, v), upload(t, l, gy)
	ob, lb := newBuf(t, l, n), newBuf(t, l, s.RowLen())
	dqb, dkb, dvb, db := newBuf(t, l, n), newBuf(t, l, n), newBuf(t, l, n), newBuf(t, l, s.RowLen())
	// Where the backward does not read the forward's o and lse (the GEMM
	// path), it is given none.
	bo, bl := ob, lb
	if !l.AttentionBackwardReadsForward(s) {
		bo, bl = nil, nil
	}
	run(t, l, func(seq *vk.Sequence) error {
		if err := l.AttentionForward(seq, qb, kb, vb, ob, lb, s); err != nil {
			return err
		}
		return l.AttentionBackward(seq, qb, kb, vb, bo, bl, gb, dqb, dkb, dvb, db, s)
	})
	name := fmt.Sprintf("cpu %+v", s)
	if !l.Tuning.AttnRegisters {
		name = fmt.Sprintf("tiled %+v", s)
	}
	vktest.Close(t, name+" o", download(t, ob, n), wantO, 1e-4, 1e-5)
	vktest.Close(t, name+" lse", download(t, lb, s.RowLen()), wantLSE, 1e-5, 1e-5)
	dq1, dk1, dv1 := download(t, dqb, n), download(t, dkb, n), download(t, dvb, n)
	vktest.Close(t, name+" dq", dq1, wdq, 1e-3, 1e-4)
	vktest.Close(t, name+" dk", dk1, wdk, 1e-3, 1e-4)
	vktest.Close(t, name+" dv", dv1, wdv, 1e-3, 1e-4)
	run(t, l, func(seq *vk.Sequence) error {
		return l.AttentionBackward(seq, qb, kb, vb, bo, bl, gb, dqb, dkb, dvb, db, s)
	})
	for i, b := range []*vk.Buffer{dqb, dkb, dvb} {
		again := download(t, b, n)
		first := [][]float32{dq1, dk1, dv1}[i]
		for j := range again {
			if math.Float32bits(again[j]) != math.Float32bits(first[j]) {
				t.Fatalf("%s %v: gradient %d differs between runs at %d", name, s, i, j)
			}
		}
	}
}
