package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
)

// MaxLinComb is the number of vectors LinComb combines.
const MaxLinComb = 8

// SDEState is the layout of the small uint32 buffer that sampler kernels
// share: word 0 is the step counter (the row of the coefficient table, and
// the Philox step of the noise), words 1 and 2 the seed, word 3 the noise
// offset: element i of a draw is element offset + i of the rng function, so
// a batch holding points K.. of a run draws their part of one long draw.
const SDEStateWords = 4

// Coef says where LinComb reads its coefficients: at
// coef[row*Stride + Col + j], row = the state's counter when Stride > 0, else
// 0. Coefficient j < len(vectors) weighs vector j; the next one weighs the
// noise and the one after is a constant term.
type Coef struct {
	Buf    *vk.Buffer
	Col    int
	Stride int
}

// Noise selects the random term of LinComb.
type Noise uint32

// The noise kinds; the numbers are sde_lincomb.comp's NOISE codes.
const (
	NoNoise         Noise = iota
	NormalNoise           // rng.Normal
	UniformNoise          // rng.Uniform
	RademacherNoise       // rng.Rademacher
)

// LinComb records y = sum_j c_j v_j + c_noise z + c_const over n elements,
// with z drawn from Philox (key: the state's seed, stream, Philox step = the
// state's counter; element i is element offset + i of the rng function of
// the same kind, offset = state word 3). y may be one of the vectors (an
// in-place update).
func (l *Lib) LinComb(seq *vk.Sequence, y *vk.Buffer, n int, c Coef, state *vk.Buffer, noise Noise, stream uint32, vectors ...*vk.Buffer) error {
	if len(vectors) > MaxLinComb {
		return fmt.Errorf("kernels: lincomb of %d vectors; at most %d", len(vectors), MaxLinComb)
	}
	if err := checkLen("lincomb", "y", y, n); err != nil {
		return err
	}
	for i, v := range vectors {
		if err := checkLen("lincomb", fmt.Sprintf("vector %d", i), v, n); err != nil {
			return err
		}
	}
	if err := checkLen("lincomb", "state", state, SDEStateWords); err != nil {
		return err
	}
	if c.Col < 0 || c.Stride < 0 || (c.Stride == 0 && c.Buf.Len() < c.Col+len(vectors)+2) {
		return fmt.Errorf("kernels: lincomb: coefficients at column %d of a %d-value buffer", c.Col, c.Buf.Len())
	}
	if noise > RademacherNoise {
		return fmt.Errorf("kernels: lincomb: unknown noise %d", noise)
	}
	k, err := l.kernel1D("sde_lincomb", uint32(len(vectors)), uint32(noise))
	if err != nil {
		return err
	}
	bufs := []*vk.Buffer{y, c.Buf, state}
	for j := 0; j < MaxLinComb; j++ {
		if j < len(vectors) {
			bufs = append(bufs, vectors[j])
		} else {
			bufs = append(bufs, y) // unread: the shader loops to NV only
		}
	}
	return seq.Dispatch(k, k.Groups(noiseBlocks(n)), vk.Push(uint32(n), uint32(c.Col), uint32(c.Stride), stream), bufs...)
}

// noiseBlocks is the number of Philox blocks that n elements at any noise
// offset touch: one more than at offset 0 when the offset is not a multiple
// of 4 (the shaders skip what they do not need).
func noiseBlocks(n int) int {
	return (n+3)/4 + 1
}

// Advance records state.counter += 1.
func (l *Lib) Advance(seq *vk.Sequence, state *vk.Buffer) error {
	k, err := l.kernel("sde_advance", [3]uint32{1, 1, 1})
	if err != nil {
		return err
	}
	return seq.Dispatch(k, [3]uint32{1, 1, 1}, nil, state)
}

// LangevinSNR records the Langevin corrector's step size from per-sample
// squared norms of the score (gradSq) and of the noise (noiseSq) over a batch
// of b samples: eps = 2 alpha (snr mean||z|| / mean||s||)^2, with alpha at
// coef[counter*stride + alphaCol]; it writes (1, eps, sqrt(2 eps), 0) at
// coef[out], the coefficients of LinComb(x, s) with noise.
func (l *Lib) LangevinSNR(seq *vk.Sequence, gradSq, noiseSq *vk.Buffer, b int, state, coef *vk.Buffer, stride, alphaCol, out int, snr float32) error {
	if err := checkLen("langevin snr", "coef", coef, out+4); err != nil {
		return err
	}
	k, err := l.kernel("sde_snr", [3]uint32{64, 1, 1})
	if err != nil {
		return err
	}
	return seq.Dispatch(k, [3]uint32{1, 1, 1}, vk.Push(uint32(b), uint32(stride), uint32(alphaCol), uint32(out), snr), gradSq, noiseSq, state, coef)
}

// LangevinPerSample records the Langevin corrector step on x, b samples of
// dimension d, with each sample's step size from its own squared norms of
// the score (gradSq[b]) and of the noise z (noiseSq[b]): eps_b = 2 alpha
// (snr ||z_b|| / ||s_b||)^2, x += eps_b s + sqrt(2 eps_b) z, alpha at
// coef[counter*stride + alphaCol]. Unlike LangevinSNR's batch means, a
// sample's step never depends on the rest of its batch.
func (l *Lib) LangevinPerSample(seq *vk.Sequence, x, score, z, gradSq, noiseSq *vk.Buffer, b, d int, state, coef *vk.Buffer, stride, alphaCol int, snr float32) error {
	const name = "langevin per sample"
	if b < 1 || d < 1 {
		return fmt.Errorf("kernels: %s: %d samples of dimension %d", name, b, d)
	}
	for _, v := range []struct {
		name string
		buf  *vk.Buffer
		n    int
	}{{"x", x, b * d}, {"score", score, b * d}, {"z", z, b * d}, {"gradSq", gradSq, b}, {"noiseSq", noiseSq, b}, {"state", state, 1}} {
		if err := checkLen(name, v.name, v.buf, v.n); err != nil {
			return err
		}
	}
	k, err := l.kernel1D("sde_langevin_sample")
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(b*d), vk.Push(uint32(b*d), uint32(d), uint32(stride), uint32(alphaCol), snr), x, score, z, gradSq, noiseSq, state, coef)
}

// RKScaled records y = e / (atol + rtol max(|a|, |b|)) over n elements: the
// terms of the RK45 error norm.
func (l *Lib) RKScaled(seq *vk.Sequence, e, a, b, y *vk.Buffer, n int, rtol, atol float32) error {
	for _, x := range []*vk.Buffer{e, a, b, y} {
		if err := checkLen("rk scaled", "a buffer", x, n); err != nil {
			return err
		}
	}
	k, err := l.kernel1D("rk_scaled")
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(n), vk.Push(uint32(n), rtol, atol), e, a, b, y)
}
