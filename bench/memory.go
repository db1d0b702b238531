package bench

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// streamLen is the length of the memory benchmarks: 16M floats (64 MiB per
// stream), far beyond any cache.
const streamLen = 16 << 20

const streamShape = "16777216"

// copyCase times vkCmdCopyBuffer of 16M floats (GPU time, by timestamps at
// the transfer stage): the memory reference of the fused and elementwise
// rows.
func (r *runner) copyCase() *Case {
	return r.streamCase("copy", streamShape, "vkCmdCopyBuffer", 2, 0, 8*streamLen, func(seq *vk.Sequence, b []*vk.Buffer) error {
		seq.Copy(b[1], b[0])
		return nil
	})
}

// fusedCase times y = a x + b g + c z over 16M floats (GPU time): 3
// streams read and 1 written.
func (r *runner) fusedCase() *Case {
	c := r.streamCase("fused", streamShape, "axpbypcz", 4, 5*streamLen, 16*streamLen, func(seq *vk.Sequence, b []*vk.Buffer) error {
		return r.lib.AXPBYPCZ(seq, b[3], b[0], b[1], b[2], streamLen, 0.5, -0.25, 0.125)
	})
	c.Ref = r.copyCase()
	return c
}

// elementwiseCases time Unary SiLU and Binary Add on the MLP sampler's
// [10000, 128] (with a bias row; 130 columns is not whole vec4s) and on
// 16M floats, and the sum of 16M floats. Bytes are the streams read plus the one written (a repeated
// bias row counts once).
func (r *runner) elementwiseCases() []*Case {
	const rows, cols = 10000, 128
	unary := func(n int) func(seq *vk.Sequence, b []*vk.Buffer) error {
		return func(seq *vk.Sequence, b []*vk.Buffer) error {
			return r.lib.Unary(seq, kernels.SiLU, b[0], b[2], n, 1, 0, 0)
		}
	}
	binary := func(shape, bshape []int) func(seq *vk.Sequence, b []*vk.Buffer) error {
		return func(seq *vk.Sequence, b []*vk.Buffer) error {
			return r.lib.Binary(seq, kernels.Add, b[0], b[1], b[2], shape, bshape)
		}
	}
	ref := r.copyCase()
	out := []*Case{
		r.streamCase("elementwise", fmt.Sprintf("%dx%d", rows, cols), "silu", 3, 0, 8*rows*cols, unary(rows*cols)),
		r.streamCase("elementwise", fmt.Sprintf("%dx%d", rows, cols), "add bias row", 3, 0, 8*rows*cols+4*cols, binary([]int{rows, cols}, []int{cols})),
		r.streamCase("elementwise", fmt.Sprintf("%dx%d", rows, 130), "add bias row", 3, 0, 8*rows*130+4*130, binary([]int{rows, 130}, []int{130})),
		r.streamCase("elementwise", streamShape, "silu", 3, 0, 8*streamLen, unary(streamLen)),
		r.streamCase("elementwise", streamShape, "add", 3, 0, 12*streamLen, binary([]int{streamLen}, []int{streamLen})),
		r.streamCase("elementwise", streamShape, "add bias row", 3, 0, 8*streamLen+4*cols, binary([]int{streamLen / cols, cols}, []int{cols})),
	}
	out = append(out, r.reduceCase())
	for _, c := range out {
		c.Ref = ref
	}
	return out
}

// reduceCase times the full sum of 16M floats (two dispatches); bytes are
// the stream read.
func (r *runner) reduceCase() *Case {
	return &Case{Op: "elementwise", Shape: streamShape, Variant: "reduce sum", Bytes: 4 * streamLen, prepare: func() (*Replay, error) {
		bufs, err := r.filledBuffers(streamLen, 1, kernels.MaxReduceScratch)
		if err != nil {
			return nil, err
		}
		return r.gpuReplay(func(seq *vk.Sequence) error {
			return r.lib.ReduceAll(seq, kernels.ReduceSum, bufs[0], bufs[1], bufs[2], streamLen, 1)
		}, bufs...)
	}}
}

// streamCase times rec over n filled buffers of streamLen floats (GPU
// time) with the given flops and bytes per run.
func (r *runner) streamCase(op, shape, variant string, n int, flops, bytes float64, rec func(seq *vk.Sequence, bufs []*vk.Buffer) error) *Case {
	return &Case{Op: op, Shape: shape, Variant: variant, FLOPs: flops, Bytes: bytes, prepare: func() (*Replay, error) {
		lens := make([]int, n)
		for i := range lens {
			lens[i] = streamLen
		}
		bufs, err := r.filledBuffers(lens...)
		if err != nil {
			return nil, err
		}
		return r.gpuReplay(func(seq *vk.Sequence) error { return rec(seq, bufs) }, bufs...)
	}}
}
