package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// ReplaceKnown records score_sde's inpainting projection on x, b points of
// dimension d: coordinate j of every point with mask[j] != 0 becomes
// m value[j] + s z, the rest is kept. (m, s) are read like LinComb's
// coefficients, at coef[row*Stride + Col] and the next float (row = the
// state's counter when Stride > 0); z is the element of the same index of
// rng.Normal with the state's seed, stream and Philox step = the counter,
// shifted by the state's noise offset as LinComb's.
// The float64 reference is sde.Known.Replace.
func (l *Lib) ReplaceKnown(seq *vk.Sequence, x *vk.Buffer, b, d int, value, mask *vk.Buffer, c Coef, state *vk.Buffer, stream uint32) error {
	const name = "sde_replace"
	if b < 0 || d < 1 {
		return fmt.Errorf("kernels: %s: %d points of dimension %d", name, b, d)
	}
	if err := checkLen(name, "x", x, b*d); err != nil {
		return err
	}
	if err := checkLen(name, "value", value, d); err != nil {
		return err
	}
	if err := checkLen(name, "mask", mask, d); err != nil {
		return err
	}
	if err := checkLen(name, "state", state, SDEStateWords); err != nil {
		return err
	}
	if c.Col < 0 || c.Stride < 0 || (c.Stride == 0 && c.Buf.Len() < c.Col+2) {
		return fmt.Errorf("kernels: %s: (m, s) at column %d of a %d-value buffer", name, c.Col, c.Buf.Len())
	}
	k, err := l.kernel1D(name)
	if err != nil {
		return err
	}
	n := b * d
	return seq.Dispatch(k, k.Groups(noiseBlocks(n)), vk.Push(uint32(n), uint32(d), uint32(c.Col), uint32(c.Stride), stream), x, c.Buf, state, value, mask)
}
