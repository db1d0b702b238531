package kernels

import (
	"github.com/sdevk/sdevk/vk"
)

// simdWidth is lavapipe's SIMD width for 32-bit values (256-bit vectors).
const simdWidth = 8

// maxLoopIters bounds a shader loop's trip count: gallivm stops every loop
// after 65535 iterations (LP_MAX_TGSI_LOOP_ITERATIONS), silently.
const maxLoopIters = 65000

// AXPBYPCZ records y[i] = a*x[i] + b*g[i] + c*z[i] for i < n: the fused
// 4-stream update of the samplers (one pass over memory instead of three).
// y may be x (an in-place update); it must not partly overlap x, g or z.
// The bulk moves as vec4, the last n % 4 values as scalars, so any n works.
//
// On GPUs each invocation moves one vec4. On CPU-type devices (lavapipe)
// axpbypcz_texels runs a few workgroups that each stream one contiguous
// chunk in a loop (lavapipe takes a lock per workgroup and runs each on one
// thread, so thousands of small groups cost more than the arithmetic),
// reading x, g and z as texel buffers, which lavapipe loads as vectors, and
// writing y as 64-bit words (it needs shaderInt64).
func (l *Lib) AXPBYPCZ(seq *vk.Sequence, y, x, g, z *vk.Buffer, n int, a, b, c float32) error {
	for _, v := range []struct {
		name string
		buf  *vk.Buffer
	}{{"x", x}, {"g", g}, {"z", z}, {"y", y}} {
		if err := checkLen("axpbypcz", v.name, v.buf, n); err != nil {
			return err
		}
	}
	texels := l.Dev.TexelsFit(x) && l.Dev.TexelsFit(g) && l.Dev.TexelsFit(z) && l.Dev.Info.ShaderInt64
	if ch := l.Tuning.Fused; texels && ch.Groups > 0 {
		units := (n + 7) / 8 // unit number n/8 does the scalar tail
		local := ch.Local
		if local < simdWidth || local%simdWidth != 0 || uint32(local) > l.Dev.Info.Limits.MaxWorkgroupInvocations {
			local = simdWidth
		}
		unroll := max(ch.Unroll, 1)
		quantum := local * unroll // per must split into whole SIMD passes of whole steps
		per := (units + ch.Groups - 1) / ch.Groups
		per = (per + quantum - 1) / quantum * quantum
		// lavapipe ends any loop after 65535 iterations: keep under that.
		per = min(per, maxLoopIters*quantum)
		if per == 0 {
			return nil
		}
		k, err := l.kernel("axpbypcz_texels", [3]uint32{uint32(local), 1, 1}, simdWidth, uint32(unroll))
		if err != nil {
			return err
		}
		groups := (units + per - 1) / per
		return seq.Dispatch(k, l.Dev.Grid(uint64(groups), 1), vk.Push(uint32(n), a, b, c, uint32(per)), x, g, z, y, x, g, z)
	}
	vec4s := (n + 3) / 4 // vec4 number n/4 does the scalar tail
	k, err := l.kernel1D("axpbypcz")
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(vec4s), vk.Push(uint32(n), a, b, c), x, g, z, y)
}
