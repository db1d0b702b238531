package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// GemmVariant selects an SGEMM implementation.
type GemmVariant int

// The SGEMM variants. GemmAuto picks GemmReg on CPU-type devices and
// GemmTiled on GPUs.
const (
	GemmAuto  GemmVariant = iota
	GemmReg               // register-blocked, vec4 loads, no shared memory (sgemm_reg.comp)
	GemmTiled             // shared-memory tiles (sgemm_tiled.comp)
	GemmNaive             // one output per invocation (sgemm_naive.comp)
)

var gemmNames = [...]string{"auto", "reg", "tiled", "naive"}

func (v GemmVariant) String() string {
	if v >= 0 && int(v) < len(gemmNames) {
		return gemmNames[v]
	}
	return fmt.Sprintf("gemm(%d)", int(v))
}

// MarshalText names the variant in JSON (sdevk info --json).
func (v GemmVariant) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// GemmTile is the geometry of one SGEMM pipeline: a workgroup of LX x LY
// invocations, each computing TM rows by TN columns of C, so a workgroup
// covers (LY*TM) x (LX*TN) outputs. BK is the depth of the shared-memory
// slices of GemmTiled. GemmReg with SG > 1 shares the loads of A across
// the SG lanes of a subgroup (LX must then be the device's subgroup size);
// SG 0 or 1 turns that off. GemmNaive uses LX, LY only (one output each).
type GemmTile struct {
	Variant GemmVariant
	LX, LY  uint32
	TM, TN  uint32
	BK      uint32
	SG      uint32
}

// Rows is the number of rows of C one workgroup covers.
func (t GemmTile) Rows() int { return int(t.LY * max(t.TM, 1)) }

// Cols is the number of columns of C one workgroup covers.
func (t GemmTile) Cols() int { return int(t.LX * max(t.TN, 1)) }

// SharedBytes is the shared memory the tile needs (GemmTiled only).
func (t GemmTile) SharedBytes() uint32 {
	if t.Variant != GemmTiled {
		return 0
	}
	return 4 * t.BK * (t.LY*t.TM + 1 + t.LX*t.TN + 1)
}

func (t GemmTile) String() string {
	switch t.Variant {
	case GemmNaive:
		return fmt.Sprintf("naive %dx%d", t.LX, t.LY)
	case GemmTiled:
		return fmt.Sprintf("tiled %dx%d group, %dx%d per invocation, BK %d", t.LX, t.LY, t.TM, t.TN, t.BK)
	}
	return fmt.Sprintf("%s %dx%d group, %dx%d per invocation, subgroup %d", t.Variant, t.LX, t.LY, t.TM, t.TN, max(t.SG, 1))
}

// The tiles tried in order; the first that fits the device's limits wins.
var (
	// lavapipe: subgroups of 8 lanes, each lane a 32x8 register block, 4
	// subgroups per workgroup (a 128x64 tile of C): per 4 steps of k a lane
	// makes 4 + 8 vec4 loads for 1024 multiply-adds. LX and SG are set to the
	// device's subgroup size (the first entry is a template); the second tile,
	// without subgroup sharing, serves devices whose subgroup size is not a
	// power of two from 4 to 64.
	regTiles = []GemmTile{
		{Variant: GemmReg, LY: 4, TM: 32, TN: 8, SG: 1},
		{Variant: GemmReg, LX: 8, LY: 8, TM: 16, TN: 8},
	}
	// GemmTiled's tiles for the presets (Tuning.GemmTiledTiles). GPUs: 64x64
	// tiles of 256 invocations with 4x4 outputs each and BK 16 (8.3 KiB of
	// shared memory); 32x32 with 64 invocations as the fallback within
	// Vulkan's guaranteed minimums (128 invocations, 16 KiB).
	tiledTiles = []GemmTile{
		{Variant: GemmTiled, LX: 16, LY: 16, TM: 4, TN: 4, BK: 16},
		{Variant: GemmTiled, LX: 8, LY: 8, TM: 4, TN: 4, BK: 8},
	}
	// On CPU-type devices (where GemmAuto never picks it) the shared-memory
	// kernel wants few invocations per barrier: 64 with 8x8 outputs each, a
	// 64x64 tile, twice as fast on lavapipe as the GPU tile.
	tiledTilesCPU = []GemmTile{{Variant: GemmTiled, LX: 8, LY: 8, TM: 8, TN: 8, BK: 16}}
	naiveTiles    = []GemmTile{
		{Variant: GemmNaive, LX: 16, LY: 16},
		{Variant: GemmNaive, LX: 8, LY: 8},
	}
)

// GemmTileFor returns the tile that variant v uses on this device (GemmAuto
// resolved per device type).
func (l *Lib) GemmTileFor(v GemmVariant) (GemmTile, error) {
	if v == GemmAuto {
		v = l.Tuning.GemmAuto
	}
	var cands []GemmTile
	switch v {
	case GemmReg:
		cands = regTiles
	case GemmTiled:
		cands = l.Tuning.GemmTiledTiles
	case GemmNaive:
		cands = naiveTiles
	default:
		return GemmTile{}, fmt.Errorf("kernels: unknown SGEMM variant %v", v)
	}
	var err error
	for _, t := range cands {
		if t.Variant == GemmReg && t.SG == 1 {
			if !l.Dev.Info.SubgroupShuffle {
				continue // the shared-load tile needs subgroupShuffle
			}
			sg := l.Dev.Info.SubgroupSize
			if sg < 4 || sg > 64 || sg&(sg-1) != 0 {
				continue
			}
			t.LX, t.SG = sg, sg
		}
		if err = l.checkTile(t); err == nil {
			return t, nil
		}
	}
	return GemmTile{}, err
}

// checkTile verifies t against the device's limits and the shaders' rules.
func (l *Lib) checkTile(t GemmTile) error {
	lim := l.Dev.Info.Limits
	if t.LX == 0 || t.LY == 0 {
		return fmt.Errorf("kernels: SGEMM tile %v: empty workgroup", t)
	}
	if inv := t.LX * t.LY; inv > lim.MaxWorkgroupInvocations || t.LX > lim.MaxWorkgroupSize[0] || t.LY > lim.MaxWorkgroupSize[1] {
		return fmt.Errorf("kernels: SGEMM tile %v: %d invocations exceed %s's limits (%d, size %v)", t, inv, l.Dev.Info.Name, lim.MaxWorkgroupInvocations, lim.MaxWorkgroupSize)
	}
	switch t.Variant {
	case GemmReg:
		if t.TM == 0 || t.TN == 0 || t.TM%4 != 0 || t.TN%4 != 0 {
			return fmt.Errorf("kernels: SGEMM tile %v: TM and TN must be positive multiples of 4", t)
		}
		if t.SG > 1 && (t.SG != t.LX || t.SG != l.Dev.Info.SubgroupSize) {
			return fmt.Errorf("kernels: SGEMM tile %v: subgroup sharing needs LX = SG = the subgroup size (%d)", t, l.Dev.Info.SubgroupSize)
		}
	case GemmTiled:
		if t.TM == 0 || t.TN == 0 || t.BK == 0 {
			return fmt.Errorf("kernels: SGEMM tile %v: TM, TN and BK must be positive", t)
		}
		if s := t.SharedBytes(); s > lim.MaxSharedMemoryBytes {
			return fmt.Errorf("kernels: SGEMM tile %v: %d bytes of shared memory exceed %s's %d", t, s, l.Dev.Info.Name, lim.MaxSharedMemoryBytes)
		}
	case GemmNaive:
	default:
		return fmt.Errorf("kernels: SGEMM tile with variant %v", t.Variant)
	}
	return nil
}

// gemmSlices is the number of K slices for C = A^T B (A stored K x M, B
// stored K x N, beta 0, one product) with tile t: a divisor of k that
// brings the workgroups towards Tuning.GemmSplitGroups, each slice at least 64
// deep; 1 when the product is not of that form or has tiles enough.
func (l *Lib) gemmSlices(t GemmTile, transA, transB bool, m, n, k int, beta float32, batch int) int {
	if t.Variant != GemmTiled || l.Tuning.GemmSplitGroups <= 0 || !transA || transB || beta != 0 || batch != 1 {
		return 1
	}
	tiles := ceilDiv(m, t.Rows()) * ceilDiv(n, t.Cols())
	best := 1
	for s := 2; s <= ceilDiv(l.Tuning.GemmSplitGroups, tiles) && k/s >= 64; s++ {
		if k%s == 0 {
			best = s
		}
	}
	return best
}

// cutRows returns register tile t with its subgroups along M cut to cover
// m rows when it has more (the kernel computes, then drops, rows past M):
// a 64-row product ran at 28 GFLOP/s with the 128-row tile on lavapipe and
// 52 with 64 rows.
func cutRows(t GemmTile, m int) GemmTile {
	if t.Variant == GemmReg && t.Rows() > m {
		t.LY = uint32(max(1, ceilDiv(m, int(t.TM))))
	}
	return t
}

// narrowCols returns register tile t with its lanes along M for a product
// of at most 4 columns (an MLP's output layer): the shared tile computes
// SG*TN columns per subgroup, 32 times the work of a 2-column product. Each
// of 64 invocations then computes 16 rows by 4 columns on its own loads.
func narrowCols(t GemmTile, n int) GemmTile {
	if t.Variant == GemmReg && n <= 4 && t.Cols() > 4 {
		return GemmTile{Variant: GemmReg, LX: 1, LY: 64, TM: 16, TN: 4, SG: 1}
	}
	return t
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Gemm records C = alpha * op(A) op(B) + beta * C for row-major float32
// matrices, batched: op(A) is m x k (A is stored k x m when transA), op(B)
// is k x n (B is stored n x k when transB), C is m x n. Product i of the
// batch uses A, B and C at element offsets i*strideA, i*strideB and
// i*strideC; a stride of 0 broadcasts A or B across the batch (C's must
// not overlap). batch 1 ignores the strides; batch 0 records nothing. With
// beta == 0, C is not read (NaNs in it do not propagate). The variant picks
// the shader (GemmAuto: per device type).
func (l *Lib) Gemm(seq *vk.Sequence, v GemmVariant, transA, transB bool, m, n, k int, alpha float32, a *vk.Buffer, b *vk.Buffer, beta float32, c *vk.Buffer, batch int, strideA, strideB, strideC int) error {
	t, err := l.GemmTileFor(v)
	if err != nil {
		return err
	}
	t = cutRows(narrowCols(t, n), m)
	if s := l.gemmSlices(t, transA, transB, m, n, k, beta, batch); s > 1 {
		// Split K: slice i of A^T (K x M) and of B (K x N) are whole rows,
		// so the slices are a batch; a fixed-order sum adds them.
		ks := k / s
		partial, err := l.convBuf(3, s*m*n)
		if err != nil {
			return err
		}
		if err := l.GemmWithTile(seq, t, true, false, m, n, ks, alpha, a, b, 0, partial, s, ks*m, ks*n, m*n); err != nil {
			return err
		}
		rs, err := l.ReduceScratch()
		if err != nil {
			return err
		}
		return l.Reduce(seq, ReduceSum, partial, c, rs, 1, s, m*n, 1)
	}
	return l.GemmWithTile(seq, t, transA, transB, m, n, k, alpha, a, b, beta, c, batch, strideA, strideB, strideC)
}

// GemmWithTile is Gemm with an explicit tile (for tuning and benchmarks).
func (l *Lib) GemmWithTile(seq *vk.Sequence, t GemmTile, transA, transB bool, m, n, k int, alpha float32, a *vk.Buffer, b *vk.Buffer, beta float32, c *vk.Buffer, batch int, strideA, strideB, strideC int) error {
	return l.gemm(seq, t, transA, transB, m, n, k, alpha, a, b, beta, c, batch, strideA, strideB, strideC, nil)
}

// gemm is GemmWithTile with an optional epilogue (gemm_epilogue.go; GemmReg
// tiles only).
func (l *Lib) gemm(seq *vk.Sequence, t GemmTile, transA, transB bool, m, n, k int, alpha float32, a *vk.Buffer, b *vk.Buffer, beta float32, c *vk.Buffer, batch int, strideA, strideB, strideC int, ep *gemmEpilogue) error {
	name := fmt.Sprintf("sgemm %s", t.Variant)
	if ep != nil {
		if err := ep.check(name, t, n); err != nil {
			return err
		}
	}
	if m < 0 || n < 0 || k < 0 || batch < 0 {
		return fmt.Errorf("kernels: %s: negative size m=%d n=%d k=%d batch=%d", name, m, n, k, batch)
	}
	if err := l.checkTile(t); err != nil {
		return err
	}
	if batch <= 1 {
		strideA, strideB, strideC = 0, 0, 0
	}
	if strideA < 0 || strideB < 0 || strideC < 0 {
		return fmt.Errorf("kernels: %s: negative batch stride (%d, %d, %d)", name, strideA, strideB, strideC)
	}
	if batch > 1 && strideC < m*n {
		return fmt.Errorf("kernels: %s: C's batch stride %d is below m*n = %d: outputs would overlap", name, strideC, m*n)
	}
	if batch == 0 || m == 0 || n == 0 {
		return nil
	}
	last := batch - 1
	if err := checkLen(name, "A", a, last*strideA+m*k); err != nil {
		return err
	}
	if err := checkLen(name, "B", b, last*strideB+k*n); err != nil {
		return err
	}
	if err := checkLen(name, "C", c, last*strideC+m*n); err != nil {
		return err
	}

	var k1 *vk.Kernel
	var err error
	local := [3]uint32{t.LX, t.LY, 1}
	switch t.Variant {
	case GemmReg:
		lda, ldb := k, n
		if transA {
			lda = m
		}
		if transB {
			ldb = k
		}
		vecB := ldb%4 == 0 && strideB%4 == 0
		// B's rows may be scalar loads beside vec4 loads of A (!transB).
		vec := lda%4 == 0 && strideA%4 == 0 && (vecB || !transB)
		vecC := n%4 == 0 && strideC%4 == 0
		// vec4 loads through texel buffers where A and B allow: lavapipe
		// fetches texels as vectors (1.05-2x).
		name := "sgemm_reg"
		if vec && vecB && l.Tuning.GemmTexels && l.Dev.TexelsFit(a) && l.Dev.TexelsFit(b) {
			name = "sgemm_reg_texels"
		}
		consts := []uint32{t.TM, t.TN, b2u(transA), b2u(transB), b2u(vec), max(t.SG, 1), b2u(vecC), b2u(vecB)}
		if ep != nil {
			name += "_ep"
			consts = append(consts, uint32(ep.act), math.Float32bits(ep.gamma))
		}
		k1, err = l.kernel(name, local, consts...)
	case GemmTiled:
		k1, err = l.kernel("sgemm_tiled", local, t.TM, t.TN, t.BK, b2u(transA), b2u(transB))
	case GemmNaive:
		k1, err = l.kernel("sgemm_naive", local, b2u(transA), b2u(transB))
	}
	if err != nil {
		return err
	}
	lim := l.Dev.Info.Limits.MaxWorkgroupCount
	if g := l.Tuning.GemmMaxGroups; g > 0 {
		lim = [3]uint32{g, g, g}
	}
	groups := [3]uint32{
		min(uint32((n+t.Cols()-1)/t.Cols()), lim[0]),
		min(uint32((m+t.Rows()-1)/t.Rows()), lim[1]),
		min(uint32(batch), lim[2]),
	}
	push := vk.Push(uint32(m), uint32(n), uint32(k), alpha, beta, uint32(strideA), uint32(strideB), uint32(strideC), uint32(batch))
	if ep != nil {
		return seq.Dispatch(k1, groups, push, a, b, ep.bias, c)
	}
	return seq.Dispatch(k1, groups, push, a, b, c)
}
