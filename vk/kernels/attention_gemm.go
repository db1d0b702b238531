package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// Attention through batched GEMMs and a stored score matrix, for devices
// where the fused kernels' long loops are cut short (loopLimited): their
// loops over the L keys and D channels of a head end early and leave wrong
// or unwritten values from D*L of about 32K on (one head of 256 channels
// over 16x16 positions, as in score_sde's CIFAR-10 U-Nets). The GEMM path
// keeps every loop short:
// the products loop over D or L, the softmax is elementwise kernels and
// row reductions. It stores the L x L scores, in chunks of heads that fit
// the scratch.

// attnFusedMaxWork bounds D*L for the fused kernels (either variant) on
// llvmpipe, with a 4x margin below the failures measured there.
const attnFusedMaxWork = 8192

// attnViaGemm reports whether s takes the GEMM path on this device.
func (l *Lib) attnViaGemm(s AttentionShape) bool {
	return l.Tuning.LoopLimited && s.HeadDim()*s.L > attnFusedMaxWork
}

// attnChunk is a run of heads [b0, b0+nb) with views of the [N*Heads, D, L]
// operands and the [N*Heads, L] rows, and the scratch for their scores.
type attnChunk struct {
	nb     int
	mats   []*vk.Buffer // views of the operands, in the caller's order
	rows   []*vk.Buffer // views of the row vectors (lse, delta)
	s, t   *vk.Buffer   // two nb x L x L scratch matrices
	rowTmp *vk.Buffer   // nb x L scratch
}

// attnChunks calls f for each chunk of heads of s, viewing mats (each
// s.Size() values) and rows (each s.RowLen() values).
func (l *Lib) attnChunks(s AttentionShape, mats, rows []*vk.Buffer, f func(c attnChunk) error) error {
	heads, d, L := s.N*s.Heads, s.HeadDim(), s.L
	// Chunks start at view-aligned offsets of the row vectors (and so of the
	// matrices, d times longer).
	align := int(l.Dev.ViewAlign())
	m := align / gcd(4*L, align)
	budget := max(1, l.Tuning.ConvIm2colScratchBytes/4/(L*L))
	if lim := int(l.Dev.Info.Limits.MaxStorageBufferRange / 4); lim > 0 {
		budget = min(budget, lim/(L*L))
	}
	nb := min(heads, max(m, budget/m*m))
	if nb < 1 || (nb < heads && uint64(nb*L*L)*4 > l.Dev.Info.Limits.MaxStorageBufferRange) {
		return fmt.Errorf("kernels: attention: %d positions need more than the storage-buffer range for one head's scores", L)
	}
	// The convolutions' scratch: recordings into one sequence are ordered
	// by it, like every use of the library's scratch.
	sb, err := l.convBuf(0, nb*L*L)
	if err != nil {
		return err
	}
	tb, err := l.convBuf(2, nb*L*L)
	if err != nil {
		return err
	}
	rb, err := l.convBuf(1, nb*L)
	if err != nil {
		return err
	}
	for b0 := 0; b0 < heads; b0 += nb {
		c := attnChunk{nb: min(nb, heads-b0), s: sb, t: tb, rowTmp: rb}
		for _, b := range mats {
			v, err := view(b, b0*d*L, c.nb*d*L)
			if err != nil {
				return err
			}
			c.mats = append(c.mats, v)
		}
		for _, b := range rows {
			v, err := view(b, b0*L, c.nb*L)
			if err != nil {
				return err
			}
			c.rows = append(c.rows, v)
		}
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}

// attnScale is the score scale 1/sqrt(d).
func attnScale(s AttentionShape) float64 { return 1 / math.Sqrt(float64(s.HeadDim())) }

// attnScores records dst = scale q^T k per head of the chunk, [nb, L, L].
func (l *Lib) attnScores(seq *vk.Sequence, s AttentionShape, c attnChunk, q, k, dst *vk.Buffer) error {
	d, L := s.HeadDim(), s.L
	return l.Gemm(seq, GemmAuto, true, false, L, L, d, float32(attnScale(s)), q, k, 0, dst, c.nb, d*L, d*L, L*L)
}

// attentionForwardGemm is AttentionForward on the GEMM path.
func (l *Lib) attentionForwardGemm(seq *vk.Sequence, q, k, v, o, lse *vk.Buffer, s AttentionShape) error {
	d, L := s.HeadDim(), s.L
	return l.attnChunks(s, []*vk.Buffer{q, k, v, o}, []*vk.Buffer{lse}, func(c attnChunk) error {
		q, k, v, o, lse := c.mats[0], c.mats[1], c.mats[2], c.mats[3], c.rows[0]
		rows := c.nb * L
		steps := []func() error{
			func() error { return l.attnScores(seq, s, c, q, k, c.s) },
			// p = exp(s - max) / sum; lse = max + log(sum)
			func() error { return l.softmaxRows(seq, c.s, lse, rows, L) },
			// o[:, i] = sum_j p_ij v[:, j]
			func() error {
				return l.Gemm(seq, GemmAuto, false, true, d, L, L, 1, v, c.s, 0, o, c.nb, d*L, L*L, d*L)
			},
		}
		return runSteps(steps)
	})
}

// attentionBackwardGemm is AttentionBackward on the GEMM path: p =
// softmax(scale q^T k) recomputed from the scores (so AttentionForward's o
// and lse are not read), dv = gy p, dp = gy^T v, ds = p (dp - rowsum(p
// dp)), dq = scale k ds^T, dk = scale q ds. delta receives rowsum(p dp) =
// gy_i . o_i.
func (l *Lib) attentionBackwardGemm(seq *vk.Sequence, q, k, v, gy, dq, dk, dv, delta *vk.Buffer, s AttentionShape) error {
	d, L := s.HeadDim(), s.L
	scale := float32(attnScale(s))
	return l.attnChunks(s, []*vk.Buffer{q, k, v, gy, dq, dk, dv}, []*vk.Buffer{delta}, func(c attnChunk) error {
		q, k, v, gy, dq, dk, dv := c.mats[0], c.mats[1], c.mats[2], c.mats[3], c.mats[4], c.mats[5], c.mats[6]
		delta := c.rows[0]
		rows := c.nb * L
		p, dp := c.s, c.t
		steps := []func() error{
			func() error { return l.attnScores(seq, s, c, q, k, p) },
			func() error { return l.softmaxRows(seq, p, c.rowTmp, rows, L) },
			func() error {
				return l.Gemm(seq, GemmAuto, false, false, d, L, L, 1, gy, p, 0, dv, c.nb, d*L, L*L, d*L)
			},
			func() error { return l.Gemm(seq, GemmAuto, true, false, L, L, d, 1, gy, v, 0, dp, c.nb, d*L, d*L, L*L) },
			// ds = p (dp - delta), delta = rowsum(p dp), into dp
			func() error { return l.softmaxGradRows(seq, p, dp, delta, rows, L) },
			func() error {
				return l.Gemm(seq, GemmAuto, false, true, d, L, L, scale, k, dp, 0, dq, c.nb, d*L, L*L, d*L)
			},
			func() error {
				return l.Gemm(seq, GemmAuto, false, false, d, L, L, scale, q, dp, 0, dk, c.nb, d*L, L*L, d*L)
			},
		}
		return runSteps(steps)
	})
}

// softmaxRows records, for rows of L scores in s, s <- softmax(s) in place
// and lse[row] = the log of the row's sum of exponentials (softmax_rows).
func (l *Lib) softmaxRows(seq *vk.Sequence, s, lse *vk.Buffer, rows, L int) error {
	k, err := l.kernel1D("softmax_rows", b2u(L%4 == 0))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(rows), pushInts(rows, L), s, lse)
}

// softmaxGradRows records, for rows of L probabilities p and gradients dp,
// delta[row] = rowsum(p dp) and dp <- p (dp - delta) in place
// (softmax_grad_rows).
func (l *Lib) softmaxGradRows(seq *vk.Sequence, p, dp, delta *vk.Buffer, rows, L int) error {
	k, err := l.kernel1D("softmax_grad_rows", b2u(L%4 == 0))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(rows), pushInts(rows, L), p, dp, delta)
}

// runSteps runs recording steps in order, stopping at the first error.
func runSteps(steps []func() error) error {
	for _, f := range steps {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}
