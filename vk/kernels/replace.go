package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// ReplaceKnown records score_sde's inpainting projection on x, b points of
// dimension d: element i with mask[i] != 0 becomes m value[i] + s z, the
// rest is kept (value and mask hold b*d values: each point has its own). (m, s) are read like LinComb's
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
	if err := checkLen(name, "value", value, b*d); err != nil {
		return err
	}
	if err := checkLen(name, "mask", mask, b*d); err != nil {
		return err
	}
	if err := checkReplace(name, c, state); err != nil {
		return err
	}
	k, err := l.kernel1D(name)
	if err != nil {
		return err
	}
	n := b * d
	return seq.Dispatch(k, k.Groups(noiseBlocks(n)), vk.Push(uint32(n), uint32(c.Col), uint32(c.Stride), stream), x, c.Buf, state, value, mask)
}

// checkReplace checks the state and the (m, s) location of a replacement.
func checkReplace(name string, c Coef, state *vk.Buffer) error {
	if err := checkLen(name, "state", state, SDEStateWords); err != nil {
		return err
	}
	if c.Col < 0 || c.Stride < 0 || (c.Stride == 0 && c.Buf.Len() < c.Col+2) {
		return fmt.Errorf("kernels: %s: (m, s) at column %d of a %d-value buffer", name, c.Col, c.Buf.Len())
	}
	return nil
}

// ReplaceGrey records score_sde's colourisation projection on x, b images
// of 3 channels of hw pixels: every pixel moves along the grey direction so
// that its grey level becomes m grey[pixel] + s z / sqrt(3), its chroma
// kept; z is the element of rng.Normal at the pixel's channel 0, with the
// state's seed, stream and Philox step = the counter, shifted by the state's
// noise offset as LinComb's. (m, s) are read as
// ReplaceKnown reads them. The float64 reference is sde.Grey.Replace.
func (l *Lib) ReplaceGrey(seq *vk.Sequence, x *vk.Buffer, b, hw int, grey *vk.Buffer, c Coef, state *vk.Buffer, stream uint32) error {
	const name = "sde_colorize"
	if b < 0 || hw < 1 {
		return fmt.Errorf("kernels: %s: %d images of %d pixels", name, b, hw)
	}
	if err := checkLen(name, "x", x, b*3*hw); err != nil {
		return err
	}
	if err := checkLen(name, "grey", grey, b*hw); err != nil {
		return err
	}
	if err := checkReplace(name, c, state); err != nil {
		return err
	}
	k, err := l.kernel1D(name)
	if err != nil {
		return err
	}
	n := b * hw
	return seq.Dispatch(k, k.Groups(n), vk.Push(uint32(n), uint32(hw), uint32(c.Col), uint32(c.Stride), stream), x, c.Buf, state, grey)
}
