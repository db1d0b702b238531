package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/vk"
)

// Conv2DGeom describes a 2-D convolution as graph.Conv2D computes it (its
// one definition is graph/ref's).
type Conv2DGeom = ref.Conv2DGeom

func checkConv(name string, g Conv2DGeom) error {
	if err := g.Check(); err != nil {
		return fmt.Errorf("kernels: %s: %w", name, err)
	}
	return nil
}

// ConvVariant selects a convolution implementation.
type ConvVariant int

// The variants. ConvAuto picks Tuning.ConvAuto: ConvWinograd on CPU-type
// devices and ConvTiled on GPUs. ConvReg falls back to ConvTiled for the
// data gradient of strided convolutions and of paddings above K-1;
// ConvIm2col falls back to ConvReg there and where one image's columns
// exceed maxStorageBufferRange; ConvWinograd computes 3x3 stride-1
// convolutions (conv_winograd.go; the filter gradient with F(4x4, 3x3)
// only) and is ConvIm2col for the rest.
const (
	ConvAuto     ConvVariant = iota
	ConvReg                  // register blocks, no shared memory (conv2d_reg*.comp)
	ConvTiled                // implicit GEMM with shared-memory tiles (conv2d_tiled.comp)
	ConvIm2col               // im2col.comp into a scratch, then batched SGEMM (CPU-type devices)
	ConvWinograd             // Winograd F(4x4, 3x3) or F(2x2, 3x3) transforms around a batched SGEMM (CPU-type devices)
)

var convNames = [...]string{"auto", "reg", "tiled", "im2col", "winograd"}

func (v ConvVariant) String() string {
	if v >= 0 && int(v) < len(convNames) {
		return convNames[v]
	}
	return fmt.Sprintf("conv(%d)", int(v))
}

// MarshalText names the variant in JSON (sdevk info --json).
func (v ConvVariant) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

func (l *Lib) convVariant(v ConvVariant) ConvVariant {
	if v == ConvAuto {
		return l.Tuning.ConvAuto
	}
	return v
}

// ConvRegTile is the register block of conv2d_reg.comp: TM output channels
// x TH rows x TW columns (a multiple of 4) per invocation, Local
// invocations per workgroup.
type ConvRegTile struct{ TM, TH, TW, Local uint32 }

// ConvWgradTile is the block of conv2d_reg_wgrad.comp: TO output x TC input
// channels per invocation, Local invocations per workgroup.
type ConvWgradTile struct{ TO, TC, Local uint32 }

// ConvTiledTile is the geometry of conv2d_tiled.comp: LX x LY invocations
// of TM x TN results, BK-deep shared slices.
type ConvTiledTile struct{ LX, LY, TM, TN, BK uint32 }

func (t ConvTiledTile) shared() uint32 { return 4 * t.BK * (t.LY*t.TM + t.LX*t.TN) }

// convTiledTiles are ConvTiled's tiles for the presets (Tuning.ConvTiledTiles):
// 64x64 tiles of 256 invocations, then one that fits Vulkan's guaranteed
// minimums (128 invocations, 16 KiB) and serves CPU-type devices.
var convTiledTiles = []ConvTiledTile{{16, 16, 4, 4, 16}, {8, 8, 4, 4, 8}}

func (l *Lib) tiledTile() (ConvTiledTile, error) {
	lim := l.Dev.Info.Limits
	for _, t := range l.Tuning.ConvTiledTiles {
		if t.LX*t.LY <= lim.MaxWorkgroupInvocations && t.LX <= lim.MaxWorkgroupSize[0] && t.LY <= lim.MaxWorkgroupSize[1] && t.shared() <= lim.MaxSharedMemoryBytes {
			return t, nil
		}
	}
	return ConvTiledTile{}, fmt.Errorf("kernels: no convolution tile fits %s", l.Dev.Info.Name)
}

func (l *Lib) clampGroups(x, y int) [3]uint32 {
	lim := l.Dev.Info.Limits.MaxWorkgroupCount
	return [3]uint32{min(uint32(max(x, 1)), lim[0]), min(uint32(max(y, 1)), lim[1]), 1}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func u32(v ...int) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = uint32(x)
	}
	return out
}

func (l *Lib) convBufs(name string, g Conv2DGeom, x, w, y *vk.Buffer) error {
	if err := checkLen(name, "x", x, g.N*g.C*g.H*g.W); err != nil {
		return err
	}
	if err := checkLen(name, "w", w, g.O*g.C*g.KH*g.KW); err != nil {
		return err
	}
	return checkLen(name, "y", y, g.N*g.O*g.OutH()*g.OutW())
}

// Conv2D records y = conv2d(x, w) (+ bias[o] when bias is not nil) with the
// device's variant (graph.Conv2D; x [N,C,H,W], w [O,C,KH,KW], y
// [N,O,OutH,OutW]).
func (l *Lib) Conv2D(seq *vk.Sequence, x, w, bias, y *vk.Buffer, g Conv2DGeom) error {
	return l.Conv2DWith(seq, ConvAuto, x, w, bias, y, g)
}

// Conv2DBackData records gx = the gradient of conv2d with respect to x for
// the output gradient gy (graph.Conv2DBackData, the transposed
// convolution; gx [N,C,H,W] is overwritten).
func (l *Lib) Conv2DBackData(seq *vk.Sequence, gy, w, gx *vk.Buffer, g Conv2DGeom) error {
	return l.Conv2DBackDataWith(seq, ConvAuto, gy, w, gx, g)
}

// Conv2DBackFilter records gw = the gradient of conv2d with respect to w
// for input x and output gradient gy (graph.Conv2DBackFilter; gw
// [O,C,KH,KW] is overwritten). Deterministic.
func (l *Lib) Conv2DBackFilter(seq *vk.Sequence, x, gy, gw *vk.Buffer, g Conv2DGeom) error {
	return l.Conv2DBackFilterWith(seq, ConvAuto, x, gy, gw, g)
}

// Conv2DBiasGrad records gb[o] = the sum of gy[n,o,:,:] over n and the
// positions (the bias gradient; deterministic).
func (l *Lib) Conv2DBiasGrad(seq *vk.Sequence, gy, gb *vk.Buffer, g Conv2DGeom) error {
	if err := checkConv("conv2d bias grad", g); err != nil {
		return err
	}
	return l.ChannelSum(seq, gy, gb, g.N, g.O, g.OutH()*g.OutW(), 1)
}

// channelSumKernel is ChannelSum's shader and workgroup width for n
// samples of hw positions: one subgroup with subgroupAdd where GroupNorm
// uses it (Tuning.Norm, NormSubgroup), else a tree; on a loop-limited
// device, widened until no invocation loops past the budget (ok false if
// none does).
func (l *Lib) channelSumKernel(n, hw int) (kernel string, width uint32, ok bool) {
	kernel, width = "channel_sum", l.reduceLocal()
	if l.Tuning.Norm.Groups > 0 {
		if sg, w := l.reduceWidth(width); sg {
			kernel, width = "channel_sum_sg", w
		}
	}
	units := hw
	if hw%4 == 0 {
		units = hw / 4
	}
	iters := func(w uint32) int { return loopIters(n, units, 1, 0, 1, w) }
	if !l.Tuning.LoopLimited || iters(width) <= maxLoopIters {
		return kernel, width, true
	}
	width = l.widenWithin(width, iters)
	return "channel_sum", width, iters(width) <= maxLoopIters
}

// ChannelSumFits reports whether ChannelSum can sum n samples of hw
// positions per channel on this device (lavapipe's loop limit).
func (l *Lib) ChannelSumFits(n, hw int) bool {
	_, _, ok := l.channelSumKernel(n, hw)
	return ok
}

// ChannelSum records y[c] = scale * the sum of x[n, c, :] over n and the
// hw positions, for x [n, c, hw]: one dispatch for what Reduce does in two
// passes and a temporary (deterministic).
func (l *Lib) ChannelSum(seq *vk.Sequence, x, y *vk.Buffer, n, c, hw int, scale float32) error {
	const name = "channel sum"
	if n < 0 || c < 0 || hw < 0 {
		return fmt.Errorf("kernels: %s: negative shape [%d %d %d]", name, n, c, hw)
	}
	if err := checkLen(name, "x", x, n*c*hw); err != nil {
		return err
	}
	if err := checkLen(name, "y", y, c); err != nil {
		return err
	}
	if c == 0 {
		return nil
	}
	kernel, width, ok := l.channelSumKernel(n, hw)
	if !ok {
		return fmt.Errorf("kernels: %s: %d samples of %d positions are too long for %s's loop limit (ChannelSumFits)", name, n, hw, l.Dev.Info.Name)
	}
	k, err := l.kernel(kernel, [3]uint32{width, 1, 1}, b2u(hw%4 == 0))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, l.Dev.Grid(uint64(c), 1), vk.Push(uint32(n), uint32(c), uint32(hw), scale), x, y)
}

// Conv2DWith is Conv2D with an explicit variant.
func (l *Lib) Conv2DWith(seq *vk.Sequence, v ConvVariant, x, w, bias, y *vk.Buffer, g Conv2DGeom) error {
	const name = "conv2d"
	g = g.Norm()
	if err := checkConv(name, g); err != nil {
		return err
	}
	if err := l.convBufs(name, g, x, w, y); err != nil {
		return err
	}
	bias, hasBias, err := biasOrW(name, bias, w, g.O)
	if err != nil {
		return err
	}
	v = l.convVariant(v)
	if v == ConvWinograd {
		if wg, ok := l.winogradFwd(g); ok {
			return l.convWinograd(seq, x, w, bias, y, wg, false, hasBias, g.O, g.C, nil)
		}
		v = ConvIm2col
	}
	switch v {
	case ConvIm2col:
		if l.im2colOK(0, g) {
			return l.convIm2colFwd(seq, x, w, bias, y, g, hasBias)
		}
		fallthrough // too large for the scratch
	case ConvReg:
		return l.convReg(seq, x, w, bias, y, g.N, g.C, g.H, g.W, g.O, g.OutH(), g.OutW(), g.KH, g.KW, g.Stride, g.Pad, false, hasBias)
	}
	return l.convTiled(seq, 0, w, x, bias, y, g, hasBias)
}

// biasOrW checks a convolution's optional bias of o values; without one,
// w takes the unused binding.
func biasOrW(name string, bias, w *vk.Buffer, o int) (*vk.Buffer, bool, error) {
	if bias == nil {
		return w, false, nil
	}
	return bias, true, checkLen(name, "bias", bias, o)
}

// Conv2DSaving is Conv2D that keeps its Winograd input transform in save
// (WinogradInputSave(g) values, not 0) for Conv2DBackFilterSaved: a
// training step's filter gradient then skips the transform (a tenth of a
// U-Net step on lavapipe) for 2.25 times the input's memory.
func (l *Lib) Conv2DSaving(seq *vk.Sequence, x, w, bias, y, save *vk.Buffer, g Conv2DGeom) error {
	const name = "conv2d saving its transformed input"
	g = g.Norm()
	if err := l.checkSaved(name, g, save); err != nil {
		return err
	}
	if err := l.convBufs(name, g, x, w, y); err != nil {
		return err
	}
	bias, hasBias, err := biasOrW(name, bias, w, g.O)
	if err != nil {
		return err
	}
	wg, _ := l.winogradFwd(g)
	return l.convWinograd(seq, x, w, bias, y, wg, false, hasBias, g.O, g.C, save)
}

// Conv2DBackFilterSaved is Conv2DBackFilter from the transformed input that
// Conv2DSaving kept for the same x and g (unchanged since).
func (l *Lib) Conv2DBackFilterSaved(seq *vk.Sequence, x, gy, gw, saved *vk.Buffer, g Conv2DGeom) error {
	const name = "conv2d backward filter from a saved transform"
	g = g.Norm()
	if err := l.checkSaved(name, g, saved); err != nil {
		return err
	}
	if err := l.convBufs(name, g, x, gw, gy); err != nil {
		return err
	}
	wg, _ := l.winogradFilter(g)
	return l.convWinogradFilter(seq, x, gy, gw, wg, saved)
}

// checkSaved fails when g keeps no transformed input or b cannot hold it.
func (l *Lib) checkSaved(name string, g Conv2DGeom, b *vk.Buffer) error {
	n := l.WinogradInputSave(g)
	if n == 0 {
		return fmt.Errorf("kernels: %s: %+v keeps no transformed input on %s", name, g, l.Dev.Info.Name)
	}
	return checkLen(name, "transformed input", b, n)
}

// Conv2DBackDataWith is Conv2DBackData with an explicit variant.
func (l *Lib) Conv2DBackDataWith(seq *vk.Sequence, v ConvVariant, gy, w, gx *vk.Buffer, g Conv2DGeom) error {
	const name = "conv2d backward data"
	g = g.Norm()
	if err := checkConv(name, g); err != nil {
		return err
	}
	if err := l.convBufs(name, g, gx, w, gy); err != nil {
		return err
	}
	flipOK := g.Stride == [2]int{1, 1} && g.Pad[0] <= g.KH-1 && g.Pad[1] <= g.KW-1
	v = l.convVariant(v)
	if v == ConvWinograd {
		if wg, ok := l.winogradData(g); ok {
			return l.convWinograd(seq, gy, w, w, gx, wg, true, false, g.O, g.C, nil)
		}
		v = ConvIm2col
	}
	if v == ConvIm2col && l.im2colOK(1, g) {
		return l.convIm2colData(seq, gy, w, gx, g)
	}
	if (v == ConvReg || v == ConvIm2col) && flipOK {
		// The stride-1 data gradient is the convolution of gy with the
		// flipped, transposed kernel and padding K-1-P.
		pad := [2]int{g.KH - 1 - g.Pad[0], g.KW - 1 - g.Pad[1]}
		return l.convReg(seq, gy, w, w, gx, g.N, g.O, g.OutH(), g.OutW(), g.C, g.H, g.W, g.KH, g.KW, g.Stride, pad, true, false)
	}
	return l.convTiled(seq, 1, w, gy, w, gx, g, false)
}

// Conv2DBackFilterWith is Conv2DBackFilter with an explicit variant.
func (l *Lib) Conv2DBackFilterWith(seq *vk.Sequence, v ConvVariant, x, gy, gw *vk.Buffer, g Conv2DGeom) error {
	const name = "conv2d backward filter"
	g = g.Norm()
	if err := checkConv(name, g); err != nil {
		return err
	}
	if err := l.convBufs(name, g, x, gw, gy); err != nil {
		return err
	}
	v = l.convVariant(v)
	if v == ConvWinograd {
		if wg, ok := l.winogradFilter(g); ok {
			return l.convWinogradFilter(seq, x, gy, gw, wg, nil)
		}
		v = ConvIm2col
	}
	if v == ConvIm2col && l.convIm2colFilterOK(g) {
		return l.convIm2colFilter(seq, x, gy, gw, g)
	}
	if (v == ConvReg || v == ConvIm2col) && !l.wgradLoopTooLong(g) {
		t := l.Tuning.ConvWgradTile
		vec := g.Stride[1] == 1 && g.W%4 == 0
		k, err := l.kernel("conv2d_reg_wgrad", [3]uint32{t.Local, 1, 1},
			append([]uint32{t.TO, t.TC, 0}, append(u32(g.KH, g.KW, g.Stride[0], g.Stride[1], g.Pad[0], g.Pad[1]), b2u(vec))...)...)
		if err != nil {
			return err
		}
		groups := l.clampGroups(ceilDiv(ceilDiv(g.C, int(t.TC)), int(t.Local)), ceilDiv(g.O, int(t.TO)))
		push := vk.Push(uint32(g.N), uint32(g.C), uint32(g.H), uint32(g.W), uint32(g.O), uint32(g.OutH()), uint32(g.OutW()))
		return seq.Dispatch(k, groups, push, x, gy, gw)
	}
	return l.convTiled(seq, 2, gy, x, gy, gw, g, false)
}

// wgradLoopTooLong reports whether conv2d_reg_wgrad's loop over the output
// positions would outrun llvmpipe's loop limit (looplimit.go); ConvTiled,
// whose sum is split into slices, takes such shapes.
func (l *Lib) wgradLoopTooLong(g Conv2DGeom) bool {
	return l.Tuning.LoopLimited && g.N*g.OutH()*ceilDiv(g.OutW(), 4) > limitedWgradSteps
}

// convReg records conv2d_reg.comp: out[N,M,OH,OW] from in[N,CI,H,W].
func (l *Lib) convReg(seq *vk.Sequence, in, w, bias, out *vk.Buffer, n, ci, h, wd, m, oh, ow, kh, kw int, stride, pad [2]int, flip, hasBias bool) error {
	t := l.Tuning.ConvRegTile
	vec := stride[1] == 1 && wd%4 == 0 && t.TW%4 == 0
	consts := append([]uint32{t.TM, t.TH, t.TW}, u32(kh, kw, stride[0], stride[1], pad[0], pad[1])...)
	vecw := vec && !flip && ci%4 == 0
	consts = append(consts, b2u(vec), b2u(flip), b2u(hasBias), b2u(vecw))
	k, err := l.kernel("conv2d_reg", [3]uint32{t.Local, 1, 1}, consts...)
	if err != nil {
		return err
	}
	tiles := n * ceilDiv(oh, int(t.TH)) * ceilDiv(ow, int(t.TW))
	groups := l.clampGroups(ceilDiv(tiles, int(t.Local)), ceilDiv(m, int(t.TM)))
	push := vk.Push(uint32(n), uint32(ci), uint32(h), uint32(wd), uint32(m), uint32(oh), uint32(ow))
	return seq.Dispatch(k, groups, push, in, w, bias, out)
}

// convTiled records conv2d_tiled.comp in the given mode (0 forward, 1 data
// gradient, 2 weight gradient).
func (l *Lib) convTiled(seq *vk.Sequence, mode uint32, a, b, bias, out *vk.Buffer, g Conv2DGeom, hasBias bool) error {
	t, err := l.tiledTile()
	if err != nil {
		return err
	}
	consts := append([]uint32{t.TM, t.TN, t.BK}, u32(g.KH, g.KW, g.Stride[0], g.Stride[1], g.Pad[0], g.Pad[1])...)
	consts = append(consts, mode, b2u(hasBias))
	k, err := l.kernel("conv2d_tiled", [3]uint32{t.LX, t.LY, 1}, consts...)
	if err != nil {
		return err
	}
	oh, ow := g.OutH(), g.OutW()
	var gm, gn int
	switch mode {
	case 0:
		gm, gn = g.O, g.N*oh*ow
	case 1:
		gm, gn = g.C, g.N*g.H*g.W
	default:
		gm, gn = g.O, g.C*g.KH*g.KW
	}
	groups := l.clampGroups(ceilDiv(gn, int(t.LX*t.TN)), ceilDiv(gm, int(t.LY*t.TM)))
	push := vk.Push(uint32(g.N), uint32(g.C), uint32(g.H), uint32(g.W), uint32(g.O), uint32(oh), uint32(ow))
	gk := g.N * oh * ow
	slices := convSlices(l.Tuning.ConvSplitGroups, int(groups[0]*groups[1]), gk, int(t.BK))
	if mode != 2 || slices < 2 || uint32(slices) > l.Dev.Info.Limits.MaxWorkgroupCount[2] {
		return seq.Dispatch(k, groups, push, a, b, bias, out)
	}
	partial, err := l.convBuf(3, slices*gm*gn)
	if err != nil {
		return err
	}
	groups[2] = uint32(slices)
	if err := seq.Dispatch(k, groups, push, a, b, bias, partial); err != nil {
		return err
	}
	rs, err := l.ReduceScratch()
	if err != nil {
		return err
	}
	return l.Reduce(seq, ReduceSum, partial, out, rs, 1, slices, gm*gn, 1)
}

// convSlices is the number of K slices for a weight gradient of tiles
// workgroups and depth gk, split towards splitGroups workgroups
// (Tuning.ConvSplitGroups): at least 4 BK-deep steps per slice.
func convSlices(splitGroups, tiles, gk, bk int) int {
	if tiles >= splitGroups {
		return 1
	}
	return max(1, min(ceilDiv(splitGroups, tiles), gk/(4*bk)))
}
