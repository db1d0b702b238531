package kernels

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sdevk/sdevk/vk"
)

// Tuning is every choice the kernels make by device: which shader variant
// and which workgroup and tile shapes. DefaultTuning picks one of two
// presets by device type; the library holds it as Lib.Tuning, where tests
// and benchmarks may change fields before recording (pipelines are cached
// by the values they are compiled with, so a change never reuses a stale
// one). The reasons are measurements on lavapipe (docs in
// shared/reference/vulkan.md) and the usual GPU practice.
type Tuning struct {
	// Preset names the preset the values came from ("cpu" or "gpu").
	Preset string `json:"preset"`
	// Local1D is the workgroup width of 1-D kernels. lavapipe runs a group as
	// SIMD lanes of one thread: 64 keeps groups many enough to spread over
	// the cores; GPUs want 256 to hide latency.
	Local1D uint32 `json:"local_1d"`
	// ReduceLocal is the (power-of-two) width of kernels that reduce within a
	// workgroup (GroupNorm, bias gradients): narrow where barriers are costly
	// (CPU), wide on GPUs.
	ReduceLocal uint32 `json:"reduce_local"`

	// GemmAuto is the SGEMM variant GemmAuto resolves to: register blocks
	// with vec4 loads on CPU-type devices (speed follows loads per FMA),
	// shared-memory tiles on GPUs.
	GemmAuto GemmVariant `json:"gemm_auto"`
	// GemmTiledTiles are GemmTiled's tiles, tried in order (the first that
	// fits the device wins). On CPU-type devices a 64-invocation tile of 8x8
	// outputs comes first: few invocations per barrier, twice as fast on
	// lavapipe as the GPU tile.
	GemmTiledTiles []GemmTile `json:"gemm_tiled_tiles"`
	// GemmTexels lets GemmReg read A and B through texel buffers, which
	// lavapipe fetches as whole vectors (off: the storage-buffer loads).
	GemmTexels bool `json:"gemm_texels"`
	// GemmSplitGroups is the workgroup count that a product of few output
	// tiles and a long K (a weight gradient) is split into along K, to fill
	// a GPU; 0 never splits (a CPU has few cores to fill).
	GemmSplitGroups int `json:"gemm_split_groups"`
	// GemmMaxGroups, when non-zero, lowers the workgroup-count limit (tests:
	// the shaders' loops over tiles the grid does not cover).
	GemmMaxGroups uint32 `json:"gemm_max_groups"`

	// ConvAuto is the convolution variant ConvAuto resolves to: on CPU-type
	// devices Winograd (WinogradTile) for 3x3 stride-1 convolutions and im2col
	// for the rest, both around the register SGEMM (the fastest kernel
	// there; Winograd's products are 2.25x fewer and its transforms move
	// less than im2col's columns; `sdevk bench --op conv2d` measures it
	// against im2col in the same run: 1.06x forward and 1.09x data
	// gradient at 64 channels 28x28 on a quiet lavapipe), implicit GEMM
	// with shared-memory tiles on GPUs.
	ConvAuto ConvVariant `json:"conv_auto"`
	// ConvRegTile and ConvWgradTile are the register blocks of ConvReg's
	// forward and data gradient, and of its filter gradient.
	ConvRegTile   ConvRegTile   `json:"conv_reg_tile"`
	ConvWgradTile ConvWgradTile `json:"conv_wgrad_tile"`
	// ConvTiledTiles are ConvTiled's tiles, tried in order. GPUs: 64x64 tiles
	// of 256 invocations, then one within Vulkan's guaranteed minimums (128
	// invocations, 16 KiB); CPU-type devices take the small one only.
	ConvTiledTiles []ConvTiledTile `json:"conv_tiled_tiles"`
	// ConvSplitGroups is the workgroup count a ConvTiled filter gradient is
	// split into along K when its tiles alone are fewer: enough to fill a
	// large GPU several times over.
	ConvSplitGroups int `json:"conv_split_groups"`
	// ConvIm2colScratchBytes bounds ConvIm2col's column scratch: the batch is
	// unfolded in chunks of images that fit (at least one image, never above
	// maxStorageBufferRange).
	ConvIm2colScratchBytes int `json:"conv_im2col_scratch_bytes"`
	// ConvIm2colChunk, when non-zero, caps the images per chunk (tests: several
	// chunks on small shapes).
	ConvIm2colChunk int `json:"conv_im2col_chunk"`
	// Im2colW64 lets im2col store 64-bit words where the device has
	// shaderInt64 (off: the vec4 stores).
	Im2colW64 bool `json:"im2col_w64"`
	// WinogradGemmTM, when non-zero, is the rows per invocation of the
	// register SGEMM tile of ConvWinograd's products (a multiple of 4).
	// Their sums are short (K = the input channels), and the register
	// tile's store pass grows with its rows squared, so fewer rows suit
	// them on lavapipe (compare with `sdevk bench --op conv2d --tuning
	// winograd_gemm_tm=32`). 0 keeps the device's SGEMM tile (GPUs, which
	// do not take Winograd by default).
	WinogradGemmTM uint32 `json:"winograd_gemm_tm"`
	// WinogradTile is the output tile of ConvWinograd: 4 for F(4x4, 3x3),
	// whose 36 products per 16 outputs are 0.56x F(2x2, 3x3)'s 16 per 4,
	// as are its transformed inputs and products (its transformed filters
	// are 2.25x larger; where they exceed the buffer range F(2x2, 3x3)
	// runs), or 2 for F(2x2, 3x3), whose rounding error is smaller. Both
	// are well inside float32's margin for 3x3 kernels (TestConv2D runs
	// both).
	WinogradTile uint32 `json:"winograd_tile"`

	// CopyRows copies contiguous rows of a strided copy with one
	// vkCmdCopyBuffer of many ranges: a memcpy per row on lavapipe, where
	// the shader pays a division per dimension per element. GPUs run the
	// shader.
	CopyRows bool `json:"copy_rows"`
	// Elementwise is the grid of Unary and Binary's chunked shaders
	// (Groups 0: the one-element-per-invocation GPU shaders), ElemVec4 whether
	// their units are vec4s where the alignment allows.
	Elementwise Chunking `json:"elementwise"`
	ElemVec4    bool     `json:"elem_vec4"`
	// Fused is the grid of AXPBYPCZ's texel-buffer shader (Groups 0: one vec4
	// per invocation, the GPU shader).
	Fused Chunking `json:"fused"`
	// Norm is the grid of GroupNorm and its gradient: Groups > 0 caps the
	// workgroups, each looping over (sample, group) pairs, Local (a power
	// of two) their width; Groups 0, a workgroup of ReduceLocal per pair
	// (GPUs). Unroll is unused. NormSubgroup makes each workgroup one
	// subgroup that reduces with subgroupAdd (groupnorm_sg), where the
	// device has subgroup arithmetic; Local is then the subgroup size.
	// Lavapipe, 64 x 32 x 28 x 28: 11.7 ms per GroupNorm in groups of 64,
	// 7.6 ms in groups of 8, 3.8 ms with subgroupAdd. On a loop-limited
	// device the grid grows past Groups, and the workgroup widens, so that
	// no invocation loops past the budget (normKernel).
	Norm         Chunking `json:"norm"`
	NormSubgroup bool     `json:"norm_subgroup"`
	// Ewise is the grid of fused elementwise programs: Groups > 0 runs at
	// least that many workgroups of Local invocations, each streaming one
	// contiguous chunk (lavapipe's cost per group is a lock, and its SIMD
	// passes read whole cache lines in order); Groups 0, one element per
	// invocation (GPUs). Unroll is unused.
	Ewise Chunking `json:"ewise"`
	// AttnRegisters runs attention with rows in registers and no shared
	// memory (lavapipe: barriers are slow, loads per FMA set the speed);
	// off, K/V tiles are staged in shared memory (GPUs).
	AttnRegisters bool `json:"attn_registers"`
	// GMMTexelPoints, when non-zero, runs the Gaussian-mixture score with
	// its per-time table read as vec4 texels, shared by a subgroup's lanes,
	// and up to this many points per invocation sharing each load (lavapipe
	// runs the loads in the loop over components one lane at a time;
	// `sdevk bench --op oracle16`, 16 full-covariance components in 16-D on
	// 10,000 points, loaded machine: 205-247 ms per evaluation before,
	// 5.4-6.9 ms with texels); 0: one point per invocation from a storage
	// buffer (GPUs).
	GMMTexelPoints uint32 `json:"gmm_texel_points"`
	// LoopLimited marks a device that stops a shader invocation's loops
	// after a fixed number of iterations without an error (llvmpipe; see
	// looplimit.go): kernels whose loops grow with a problem dimension take
	// a chunked path there. A fact of the device, so both presets keep it.
	LoopLimited bool `json:"loop_limited"`
}

// Chunking is the grid of a streaming kernel on CPU-type devices: about
// Groups workgroups (lavapipe takes a lock per group and runs each on one
// thread, so thousands of small groups cost more than the arithmetic) of
// Local invocations (a multiple of the SIMD width, 8), each lane moving
// Unroll units per loop iteration. Groups 0 selects the GPU shader.
type Chunking struct {
	Groups int `json:"groups"`
	Local  int `json:"local"`
	Unroll int `json:"unroll"`
}

// DefaultTuning returns the preset for a device: "cpu" for CPU-type devices
// (lavapipe, SwiftShader), "gpu" for the rest, with widths cut to the
// device's workgroup limit.
func DefaultTuning(info *vk.DeviceInfo) Tuning {
	if info.IsCPU() {
		return presetTuning("cpu", info)
	}
	return presetTuning("gpu", info)
}

// presetTuning is the named preset ("cpu" or "gpu") for a device's limits,
// whatever the device's type: benchmarks compare the two on one device.
func presetTuning(name string, info *vk.DeviceInfo) Tuning {
	t := Tuning{
		Preset: "gpu", Local1D: 256, ReduceLocal: 256,
		GemmAuto: GemmTiled, GemmTiledTiles: slices.Clone(tiledTiles), GemmTexels: true, GemmSplitGroups: 256,
		ConvAuto:    ConvTiled,
		ConvRegTile: ConvRegTile{TM: 16, TH: 1, TW: 4, Local: 64}, ConvWgradTile: ConvWgradTile{TO: 8, TC: 4, Local: 8},
		ConvTiledTiles: slices.Clone(convTiledTiles), ConvSplitGroups: 512, ConvIm2colScratchBytes: 32 << 20, Im2colW64: true,
		WinogradTile: 4, ElemVec4: true,
	}
	if name == "cpu" {
		t.Preset = "cpu"
		t.Local1D, t.ReduceLocal = 64, 64
		t.GemmAuto, t.GemmTiledTiles, t.GemmSplitGroups = GemmReg, slices.Concat(tiledTilesCPU, tiledTiles), 0
		t.ConvAuto, t.ConvTiledTiles = ConvWinograd, slices.Clone(convTiledTiles[len(convTiledTiles)-1:])
		t.WinogradGemmTM = 16
		t.CopyRows = true
		t.Elementwise = Chunking{Groups: 2, Local: 8, Unroll: 4}
		t.Fused = Chunking{Groups: 2, Local: 8, Unroll: 4}
		t.Ewise = Chunking{Groups: 2, Local: 8}
		t.Norm, t.NormSubgroup = Chunking{Groups: 16, Local: 8}, true
		t.AttnRegisters = true
		t.GMMTexelPoints = 4
	}
	t.LoopLimited = loopLimited(info)
	lim := info.Limits.MaxWorkgroupInvocations
	t.Local1D = min(t.Local1D, lim)
	for t.ReduceLocal > lim {
		t.ReduceLocal /= 2
	}
	return t
}

// Lines describes the tuning for people, one topic a line.
func (t Tuning) Lines() []string {
	onOff := map[bool]string{true: "on", false: "off"}
	split := func(groups int) string {
		if groups <= 0 {
			return "none"
		}
		return fmt.Sprintf("towards %d groups", groups)
	}
	gemmTiles := make([]string, len(t.GemmTiledTiles))
	for i, g := range t.GemmTiledTiles {
		gemmTiles[i] = g.String()
	}
	return []string{
		fmt.Sprintf("preset %s: 1-D workgroups of %d, reductions in groups of %d", t.Preset, t.Local1D, t.ReduceLocal),
		fmt.Sprintf("SGEMM: auto is %s, texel loads %s, K split %s", t.GemmAuto, onOff[t.GemmTexels], split(t.GemmSplitGroups)),
		fmt.Sprintf("SGEMM tiled tiles: %s", strings.Join(gemmTiles, "; ")),
		fmt.Sprintf("conv: auto is %s, register tile %+v, filter-gradient tile %+v, tiled tiles %+v", t.ConvAuto, t.ConvRegTile, t.ConvWgradTile, t.ConvTiledTiles),
		fmt.Sprintf("conv: K split %s, im2col scratch %d MiB, 64-bit im2col stores %s, Winograd F(%dx%d, 3x3) with product rows %d (0: the SGEMM tile's)", split(t.ConvSplitGroups), t.ConvIm2colScratchBytes>>20, onOff[t.Im2colW64], t.WinogradTile, t.WinogradTile, t.WinogradGemmTM),
		fmt.Sprintf("streaming: elementwise chunks %+v (vec4 %s), fused-update chunks %+v, fused-program chunks %+v", t.Elementwise, onOff[t.ElemVec4], t.Fused, t.Ewise),
		fmt.Sprintf("GroupNorm grid %+v (0 groups: one per sample and group), subgroupAdd reductions %s", t.Norm, onOff[t.NormSubgroup]),
		fmt.Sprintf("row copies %s, attention in registers %s, mixture-score texel points %d, loop-limited device %s", onOff[t.CopyRows], onOff[t.AttnRegisters], t.GMMTexelPoints, onOff[t.LoopLimited]),
	}
}
