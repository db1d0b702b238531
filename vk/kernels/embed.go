package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// FourierEmbed records graph.FourierEmbed, the op behind both time
// embeddings: for times t[b] (b < nt) and frequencies w[j] (j < h),
//
//	out[b, j] = sin(2 pi t_b w_j),  out[b, h + j] = cos(2 pi t_b w_j)
//
// with out [nt, 2h]. Gaussian Fourier features pass w = scale * N(0, 1)
// (graph.GaussianFourierWeights); the sinusoidal (DDPM) embedding passes
// SinusoidalFreqs. The phase is reduced to [-1/2, 1/2] turns first, so the
// error is that of the float32 product t w (about 1e-7 |t w| turns).
func (l *Lib) FourierEmbed(seq *vk.Sequence, t, w, out *vk.Buffer, nt, h int) error {
	const name = "fourier embed"
	if nt < 0 || h < 1 {
		return fmt.Errorf("kernels: %s: %d times, %d frequencies", name, nt, h)
	}
	if err := checkLen(name, "t", t, nt); err != nil {
		return err
	}
	if err := checkLen(name, "w", w, h); err != nil {
		return err
	}
	if err := checkLen(name, "out", out, 2*nt*h); err != nil {
		return err
	}
	k, err := l.kernel1D("embed_fourier")
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(nt*h), vk.Push(uint32(nt*h), uint32(h)), t, w, out)
}

// SinusoidalFreqs returns the dim/2 frequencies (in turns per unit of t)
// of graph.SinusoidalEmbed(t, dim, maxPositions) for FourierEmbed:
// w_j = maxPositions^(-j/(dim/2-1)) / (2 pi). dim must be even and >= 4.
func SinusoidalFreqs(dim int, maxPositions float64) ([]float64, error) {
	h := dim / 2
	if dim%2 != 0 || h < 2 {
		return nil, fmt.Errorf("kernels: sinusoidal embedding: dim %d must be even and >= 4", dim)
	}
	w := make([]float64, h)
	for j := range w {
		w[j] = math.Exp(-math.Log(maxPositions)*float64(j)/float64(h-1)) / (2 * math.Pi)
	}
	return w, nil
}
