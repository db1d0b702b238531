package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// gemmCase runs one (batched) product through tile t and compares it with
// ref.Gemm; the tolerance grows with sqrt(k) (rounding of a k-term sum).
func gemmCase(t *testing.T, l *Lib, tile GemmTile, rng *rand.Rand, transA, transB bool, m, n, k, batch, sA, sB, sC int, alpha, beta float64) {
	t.Helper()
	last := max(batch-1, 0)
	a := randn(rng, last*sA+m*k, 1, 0)
	b := randn(rng, last*sB+k*n, 1, 0)
	c := randn(rng, last*sC+m*n, 1, 0)
	want := ref.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, batch, sA, sB, sC)
	ab, bb, cb := upload(t, l, a), upload(t, l, b), upload(t, l, c)
	run(t, l, func(seq *vk.Sequence) error {
		return l.GemmWithTile(seq, tile, transA, transB, m, n, k, float32(alpha), ab, bb, float32(beta), cb, batch, sA, sB, sC)
	})
	tol := 1e-5 * math.Sqrt(float64(k)+1)
	name := fmt.Sprintf("%v tA=%v tB=%v %dx%dx%d batch %d", tile, transA, transB, m, n, k, batch)
	vktest.Close(t, name, download(t, cb, len(c)), want, tol, tol)
}

// gemmTiles are the device's tiles for the three variants.
func gemmTiles(t *testing.T, l *Lib) []GemmTile {
	t.Helper()
	var tiles []GemmTile
	for _, v := range []GemmVariant{GemmReg, GemmTiled, GemmNaive} {
		tile, err := l.GemmTileFor(v)
		if err != nil {
			t.Fatal(err)
		}
		tiles = append(tiles, tile)
	}
	return tiles
}

var transposes = [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}}

func TestGemm(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(5, 6))
	// Odd shapes (scalar loads), multiples of 4 that are not multiples of the
	// tile (vec4 loads with clamped edges), and k % 4 != 0 with vec4 loads
	// (transA, !transB: 132x72x9), vec4 loads of A beside scalar rows of B
	// (20x6x12), and the narrow tile of at most 4 columns (40x2x16).
	shapes := [][3]int{{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {64, 64, 64}, {130, 70, 9}, {132, 72, 9}, {36, 20, 12}, {20, 6, 12}, {40, 2, 16}}
	for _, tile := range gemmTiles(t, l) {
		for _, tr := range transposes {
			for _, s := range shapes {
				gemmCase(t, l, tile, rng, tr[0], tr[1], s[0], s[1], s[2], 1, 0, 0, 0, 1.25, -0.5)
			}
		}
	}
	// The other tiles (register blocks without subgroup sharing, the GPU or
	// CPU shared-memory tiles, the small fallback), on fewer cases: each
	// combination is a pipeline to compile.
	defaults := gemmTiles(t, l)
	for _, tile := range slices.Concat(regTiles, tiledTilesCPU, tiledTiles, naiveTiles) {
		if slices.Contains(defaults, tile) || (tile.Variant == GemmReg && tile.SG == 1) {
			continue
		}
		for _, tr := range [][2]bool{{false, false}, {true, true}} {
			for _, s := range [][3]int{{33, 17, 65}, {132, 72, 12}} {
				gemmCase(t, l, tile, rng, tr[0], tr[1], s[0], s[1], s[2], 1, 0, 0, 0, 0.75, 0.5)
			}
		}
	}
}

func TestGemmBatched(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tile := range gemmTiles(t, l) {
		for _, tr := range transposes {
			// B broadcast (a shared weight), odd sizes.
			gemmCase(t, l, tile, rng, tr[0], tr[1], 13, 11, 7, 3, 13*7, 0, 13*11, 0.5, 0)
			// A broadcast, vec4-aligned sizes, padded strides.
			gemmCase(t, l, tile, rng, tr[0], tr[1], 20, 12, 8, 3, 0, 12*8+4, 20*12+3, -1, 2)
		}
	}
}

// TestGemmEdges covers k = 0 (C = beta C), beta = 0 over NaNs, the loops over
// tiles beyond a (lowered) workgroup-count limit, and argument errors.
func TestGemmEdges(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, v := range []GemmVariant{GemmReg, GemmTiled, GemmNaive} {
		tile, _ := l.GemmTileFor(v)
		gemmCase(t, l, tile, rng, false, false, 5, 6, 0, 1, 0, 0, 0, 1, 0.5)

		m, n, k := 9, 7, 5
		a, b := upload(t, l, randn(rng, m*k, 1, 0)), upload(t, l, randn(rng, k*n, 1, 0))
		nan := make([]float64, m*n)
		for i := range nan {
			nan[i] = math.NaN()
		}
		cb := upload(t, l, nan)
		run(t, l, func(seq *vk.Sequence) error {
			return l.Gemm(seq, v, false, false, m, n, k, 1, a, b, 0, cb, 1, 0, 0, 0)
		})
		for i, x := range download(t, cb, m*n) {
			if math.IsNaN(float64(x)) {
				t.Fatalf("%v: beta = 0 read C: C[%d] is NaN", v, i)
			}
		}

		l.Tuning.GemmMaxGroups = 1
		gemmCase(t, l, tile, rng, true, false, 70, 132, 9, 3, 70*9, 9*132, 70*132, 1, 1)
		l.Tuning.GemmMaxGroups = 0
	}
	seq := begin(t, l)
	defer seq.Destroy()
	small := newBuf(t, l, 10)
	if err := l.Gemm(seq, GemmAuto, false, false, 4, 4, 4, 1, small, small, 0, small, 1, 0, 0, 0); err == nil {
		t.Error("Gemm accepted buffers that are too short")
	}
	if err := l.Gemm(seq, GemmAuto, false, false, 2, 2, 2, 1, small, small, 0, small, 2, 0, 0, 0); err == nil {
		t.Error("Gemm accepted a C stride of 0 with batch 2")
	}
	if _, err := l.GemmTileFor(GemmVariant(9)); err == nil {
		t.Error("GemmTileFor accepted an unknown variant")
	}
	if err := seq.End(); err != nil {
		t.Fatal(err)
	}
}

func TestGemmAuto(t *testing.T) {
	l := testLib(t)
	tile, err := l.GemmTileFor(GemmAuto)
	if err != nil {
		t.Fatal(err)
	}
	want := GemmTiled
	if l.Dev.Info.IsCPU() {
		want = GemmReg
	}
	if tile.Variant != want {
		t.Errorf("GemmAuto on %s (%s preset) chose %v, want %v", l.Dev.Info.Name, l.Tuning.Preset, tile, want)
	}
	if s := tile.SharedBytes(); s > l.Dev.Info.Limits.MaxSharedMemoryBytes {
		t.Errorf("tile %v needs %d bytes of shared memory", tile, s)
	}
}

// TestGemmSplitK: weight-gradient products (A^T B, beta 0) through Gemm's
// K split match the reference; other forms and deep-enough products are
// not split.
func TestGemmSplitK(t *testing.T) {
	l := testLib(t)
	l.Tuning.GemmSplitGroups = 256 // the GPU preset's: CPU-type devices do not split
	rng := rand.New(rand.NewPCG(9, 10))
	tile, err := l.GemmTileFor(GemmTiled)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m, n, k, slices int
	}{
		{13, 7, 384, 6}, // one tile: as many 64-deep slices as divide k
		{13, 7, 389, 1}, // k prime: no divisor
		{13, 7, 100, 1}, // too shallow to split
	} {
		if s := l.gemmSlices(tile, true, false, c.m, c.n, c.k, 0, 1); s != c.slices {
			t.Errorf("%dx%dx%d: %d slices, want %d", c.m, c.n, c.k, s, c.slices)
		}
		a, b := randn(rng, c.k*c.m, 1, 0), randn(rng, c.k*c.n, 1, 0)
		want := ref.Gemm(true, false, c.m, c.n, c.k, 0.5, a, b, 0, make([]float64, c.m*c.n), 1, 0, 0, 0)
		ab, bb, cb := upload(t, l, a), upload(t, l, b), newBuf(t, l, c.m*c.n)
		run(t, l, func(seq *vk.Sequence) error {
			return l.Gemm(seq, GemmTiled, true, false, c.m, c.n, c.k, 0.5, ab, bb, 0, cb, 1, 0, 0, 0)
		})
		tol := 1e-5 * math.Sqrt(float64(c.k)+1)
		vktest.Close(t, fmt.Sprintf("split %dx%dx%d", c.m, c.n, c.k), download(t, cb, c.m*c.n), want, tol, tol)
	}
	for _, f := range []struct {
		transA, transB bool
		beta           float32
		batch          int
	}{{false, false, 0, 1}, {true, true, 0, 1}, {true, false, 1, 1}, {true, false, 0, 2}} {
		if s := l.gemmSlices(tile, f.transA, f.transB, 13, 7, 384, f.beta, f.batch); s != 1 {
			t.Errorf("%+v split into %d", f, s)
		}
	}
}

// TestGemmRegStorage covers GemmReg's vec4 loads from storage buffers (the
// path for buffers that cannot be texel buffers).
func TestGemmRegStorage(t *testing.T) {
	l := testLib(t)
	l.Tuning.GemmTexels = false
	rng := rand.New(rand.NewPCG(11, 12))
	tile, err := l.GemmTileFor(GemmReg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range transposes {
		for _, s := range [][3]int{{64, 64, 64}, {132, 72, 12}, {36, 20, 12}} {
			gemmCase(t, l, tile, rng, tr[0], tr[1], s[0], s[1], s[2], 1, 0, 0, 0, 1.25, -0.5)
		}
	}
}
