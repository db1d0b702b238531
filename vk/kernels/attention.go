package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/vk"
)

// AttentionShape is the shape of graph.Attention's operands (its one
// definition is graph/ref's).
type AttentionShape = ref.AttentionShape

func checkAttention(s AttentionShape) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("kernels: attention: %w", err)
	}
	return nil
}

// attnVariant is the dispatch geometry of the attention kernels on a device:
// local invocations per group, rows (or key columns) per invocation, and
// keys per shared-memory tile (0: no shared memory).
type attnVariant struct {
	local, rows, tile uint32
}

func (l *Lib) attnVariant(d int) attnVariant {
	if l.Tuning.AttnRegisters {
		// lavapipe: registers instead of shared memory and barriers; several
		// rows per invocation reuse each K/V load (loads per FMA set the
		// speed), about 128 floats of q per invocation; small groups keep
		// the groups many.
		rows := uint32(128 / d)
		if rows > 8 {
			rows = 8
		}
		if rows < 1 {
			rows = 1
		}
		return attnVariant{local: 16, rows: rows}
	}
	local := uint32(64)
	if max := l.Dev.Info.Limits.MaxWorkgroupInvocations; local > max {
		local = max
	}
	// dkv stages Q and gy tiles plus two floats per row.
	shared := uint32(l.Dev.Info.Limits.MaxSharedMemoryBytes)
	if shared == 0 {
		shared = 16 << 10
	}
	tile := shared / (4 * (2*uint32(d) + 2))
	if tile > 64 {
		tile = 64
	}
	if tile < 1 {
		tile = 1
	}
	return attnVariant{local: local, rows: 1, tile: tile}
}

func (l *Lib) attnKernel(name string, d int) (*vk.Kernel, attnVariant, error) {
	av := l.attnVariant(d)
	k, err := l.kernel(name, [3]uint32{av.local, 1, 1}, uint32(d), av.rows, av.tile)
	return k, av, err
}

func (l *Lib) attnGrid(name string, s AttentionShape, av attnVariant) ([3]uint32, []byte, error) {
	per := int(av.local * av.rows)
	groups := [3]uint32{uint32((s.L + per - 1) / per), uint32(s.N * s.Heads), 1}
	if lim := l.Dev.Info.Limits.MaxWorkgroupCount[1]; groups[1] > lim {
		return groups, nil, fmt.Errorf("kernels: %s: N*heads = %d exceeds the device's %d workgroups along y", name, groups[1], lim)
	}
	push := vk.Push(uint32(s.L), uint32(s.C), uint32(s.Heads), float32(attnScale(s)))
	return groups, push, nil
}

func checkLens(kernel string, n int, bufs map[string]*vk.Buffer) error {
	for what, b := range bufs {
		if b == nil {
			return fmt.Errorf("kernels: %s: %s is nil", kernel, what)
		}
		if err := checkLen(kernel, what, b, n); err != nil {
			return err
		}
	}
	return nil
}

// AttentionForward records graph.Attention: for each head,
// o[:, i] = sum_j softmax_j(q[:, i] . k[:, j] / sqrt(d)) v[:, j], fused with
// an online softmax that never stores the L x L scores. It also saves
// lse[n, h, i] = log sum_j exp(q[:, i] . k[:, j] / sqrt(d)) ([N, Heads, L],
// natural log) for AttentionBackward. q, k, v, o hold s.Size() values.
func (l *Lib) AttentionForward(seq *vk.Sequence, q, k, v, o, lse *vk.Buffer, s AttentionShape) error {
	const name = "attention forward"
	if err := checkAttention(s); err != nil {
		return err
	}
	if err := checkLens(name, s.Size(), map[string]*vk.Buffer{"q": q, "k": k, "v": v, "o": o}); err != nil {
		return err
	}
	if err := checkLen(name, "lse", lse, s.RowLen()); err != nil {
		return err
	}
	if l.attnViaGemm(s) {
		return l.attentionForwardGemm(seq, q, k, v, o, lse, s)
	}
	kern, av, err := l.attnKernel("attention_fwd", s.HeadDim())
	if err != nil {
		return err
	}
	groups, push, err := l.attnGrid(name, s, av)
	if err != nil {
		return err
	}
	return seq.Dispatch(kern, groups, push, q, k, v, o, lse)
}

// AttentionBackwardReadsForward reports whether AttentionBackward reads
// AttentionForward's o and lse for shape s: not on the GEMM path, which
// recomputes the probabilities from the scores.
func (l *Lib) AttentionBackwardReadsForward(s AttentionShape) bool { return !l.attnViaGemm(s) }

// AttentionBackward records the gradients of graph.Attention for the output
// gradient gy (graph.AttentionGrad, as three buffers dq, dk, dv of
// s.Size() values). o and lse are AttentionForward's outputs for the same
// q, k, v (an executor that did not keep them records AttentionForward into
// scratch first, where AttentionBackwardReadsForward says they are read;
// elsewhere they may be nil);
// the probabilities are recomputed from lse, FlashAttention-2 style, or on
// the GEMM path (attention_gemm.go) from the scores. delta is scratch of
// s.RowLen() values (it receives gy_i . o_i).
// Two dispatches, one owning query rows (dq) and one owning key columns
// (dk, dv), so every output has a single writer: deterministic, no atomics.
func (l *Lib) AttentionBackward(seq *vk.Sequence, q, k, v, o, lse, gy, dq, dk, dv, delta *vk.Buffer, s AttentionShape) error {
	const name = "attention backward"
	if err := checkAttention(s); err != nil {
		return err
	}
	mats := map[string]*vk.Buffer{"q": q, "k": k, "v": v, "gy": gy, "dq": dq, "dk": dk, "dv": dv}
	rows := map[string]*vk.Buffer{"delta": delta}
	if l.AttentionBackwardReadsForward(s) {
		mats["o"], rows["lse"] = o, lse
	}
	if err := checkLens(name, s.Size(), mats); err != nil {
		return err
	}
	if err := checkLens(name, s.RowLen(), rows); err != nil {
		return err
	}
	if l.attnViaGemm(s) {
		return l.attentionBackwardGemm(seq, q, k, v, gy, dq, dk, dv, delta, s)
	}
	kq, av, err := l.attnKernel("attention_bwd_dq", s.HeadDim())
	if err != nil {
		return err
	}
	groups, push, err := l.attnGrid(name, s, av)
	if err != nil {
		return err
	}
	if err := seq.Dispatch(kq, groups, push, q, k, v, o, lse, gy, dq, delta); err != nil {
		return err
	}
	kkv, av, err := l.attnKernel("attention_bwd_dkv", s.HeadDim())
	if err != nil {
		return err
	}
	groups, push, err = l.attnGrid(name, s, av)
	if err != nil {
		return err
	}
	return seq.Dispatch(kkv, groups, push, q, k, v, lse, gy, delta, dk, dv)
}
