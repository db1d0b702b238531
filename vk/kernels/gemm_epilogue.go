package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// gemmEpilogue is what GemmBiasAct adds to a product before storing it:
// a bias row and an activation (sgemm_epilogue.glsl).
type gemmEpilogue struct {
	bias  *vk.Buffer
	act   UnaryOp
	gamma float32
}

// EpilogueActs are the activations the SGEMM epilogue applies (Identity:
// the bias alone).
var EpilogueActs = []UnaryOp{Identity, Tanh, Sigmoid, Softplus, SiLU, ReLU, ELU, GELU}

func (ep *gemmEpilogue) check(name string, t GemmTile, n int) error {
	switch {
	case t.Variant != GemmReg:
		return fmt.Errorf("kernels: %s: no bias-and-activation epilogue (register tiles only)", name)
	case !epilogueAct(ep.act):
		return fmt.Errorf("kernels: %s: %v is not an activation of the epilogue", name, ep.act)
	case ep.bias == nil:
		return fmt.Errorf("kernels: %s: no bias buffer", name)
	}
	return checkLen(name, "bias", ep.bias, n)
}

func epilogueAct(op UnaryOp) bool {
	for _, a := range EpilogueActs {
		if a == op {
			return true
		}
	}
	return false
}

// GemmEpilogue reports whether GemmBiasAct runs as one kernel on this
// device: the device's SGEMM is the register-blocked one, whose store pass
// takes the epilogue. Elsewhere a Dense layer stays a product followed by
// elementwise kernels.
func (l *Lib) GemmEpilogue() bool {
	t, err := l.GemmTileFor(GemmAuto)
	return err == nil && t.Variant == GemmReg
}

// GemmBiasAct records C = act(op(A) op(B) + beta C + bias) in one kernel: a
// Dense layer and its activation (gamma is ELU's alpha), with op(A) m x k,
// op(B) k x n, bias n values added to every row of C (m x n); beta 1 adds
// the products of other slices of the layer's input, recorded before. It
// needs a device where GemmEpilogue holds.
func (l *Lib) GemmBiasAct(seq *vk.Sequence, transA, transB bool, m, n, k int, a, b, bias *vk.Buffer, beta float32, c *vk.Buffer, act UnaryOp, gamma float32) error {
	t, err := l.GemmTileFor(GemmAuto)
	if err != nil {
		return err
	}
	return l.gemm(seq, cutRows(narrowCols(t, n), m), transA, transB, m, n, k, 1, a, b, beta, c, 1, 0, 0, 0, &gemmEpilogue{bias: bias, act: act, gamma: gamma})
}
