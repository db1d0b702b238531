package kernels

import (
	"github.com/sdevk/sdevk/vk"
)

// AXPBYPCZ records y[i] = a*x[i] + b*g[i] + c*z[i] for i < n: the fused
// 4-stream update of the samplers (one pass over memory instead of three).
// y may be x (an in-place update); it must not partly overlap x, g or z.
// The bulk moves as vec4 (one per invocation), the last n % 4 values as
// scalars, so any n works.
func (l *Lib) AXPBYPCZ(seq *vk.Sequence, y, x, g, z *vk.Buffer, n int, a, b, c float32) error {
	for _, v := range []struct {
		name string
		buf  *vk.Buffer
	}{{"x", x}, {"g", g}, {"z", z}, {"y", y}} {
		if err := checkLen("axpbypcz", v.name, v.buf, n); err != nil {
			return err
		}
	}
	k, err := l.kernel1D("axpbypcz", 4, []int{3}, 16)
	if err != nil {
		return err
	}
	invocations := n / 4
	if n%4 != 0 {
		invocations++ // invocation n/4 does the scalar tail
	}
	return seq.Dispatch(k, k.Groups(invocations), vk.Push(uint32(n), a, b, c), x, g, z, y)
}
