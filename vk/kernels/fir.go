package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/vk"
)

// UpFirDn2DGeom is the geometry of score_sde's upfirdn2d.
type UpFirDn2DGeom = ref.UpFirDn2DGeom

// UpFirDn2D records y = upfirdn2d(x) as ref.UpFirDn2D: x holds g.Planes
// planes of g.H x g.W, taps the g.K x g.K kernel (row-major), y g.Planes
// planes of g.OutH() x g.OutW(). The pads after (g.Pad[axis][1]) only set
// the output size.
func (l *Lib) UpFirDn2D(seq *vk.Sequence, x, taps, y *vk.Buffer, g UpFirDn2DGeom) error {
	if err := g.Check(); err != nil {
		return fmt.Errorf("kernels: upfirdn2d: %w", err)
	}
	n := g.Planes * g.OutH() * g.OutW()
	for _, b := range []struct {
		what string
		buf  *vk.Buffer
		n    int
	}{{"x", x, g.Planes * g.H * g.W}, {"taps", taps, g.K * g.K}, {"y", y, n}} {
		if err := checkLen("upfirdn2d", b.what, b.buf, b.n); err != nil {
			return err
		}
	}
	k, err := l.kernel1D("upfirdn2d")
	if err != nil {
		return err
	}
	push := vk.Push(uint32(n), uint32(g.H), uint32(g.W), uint32(g.OutH()), uint32(g.OutW()),
		uint32(g.K), uint32(g.Up), uint32(g.Down), int32(g.Pad[0][0]), int32(g.Pad[1][0]))
	return seq.Dispatch(k, k.Groups(n), push, x, taps, y)
}
