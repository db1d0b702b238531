package bench

import (
	"github.com/sdevk/sdevk/vk"
)

// streamLen is the length of the memory benchmarks: 16M floats (64 MiB per
// stream), far beyond any cache.
const streamLen = 16 << 20

const streamShape = "16777216"

// fused times y = a x + b g + c z over 16M floats (GPU time): 3 streams
// read and 1 written.
func (r *runner) fused() ([]Row, error) {
	return r.streams("fused", "axpbypcz", 4, 5*streamLen, 16*streamLen, func(seq *vk.Sequence, b []*vk.Buffer) error {
		return r.lib.AXPBYPCZ(seq, b[3], b[0], b[1], b[2], streamLen, 0.5, -0.25, 0.125)
	})
}

// copy times vkCmdCopyBuffer of 16M floats (GPU time, as the fused row):
// the memory reference for the fused row.
func (r *runner) copy() ([]Row, error) {
	return r.streams("copy", "vkCmdCopyBuffer", 2, 0, 8*streamLen, func(seq *vk.Sequence, b []*vk.Buffer) error {
		seq.Copy(b[1], b[0])
		return nil
	})
}

// streams times rec over n filled buffers of streamLen floats (GPU time)
// as one row with the given flops and bytes per run.
func (r *runner) streams(op, variant string, n int, flops, bytes float64, rec func(seq *vk.Sequence, bufs []*vk.Buffer) error) ([]Row, error) {
	bufs := make([]*vk.Buffer, n)
	defer func() {
		for _, b := range bufs {
			b.Free()
		}
	}()
	for i := range bufs {
		b, err := r.dev.NewBufferF32(streamLen)
		if err != nil {
			return nil, err
		}
		bufs[i] = b
	}
	if err := r.fill(bufs...); err != nil {
		return nil, err
	}
	seq, err := r.record(true, func(seq *vk.Sequence) error { return rec(seq, bufs) })
	if err != nil {
		return nil, err
	}
	defer seq.Destroy()
	ms, err := r.gpuTimes(seq)
	if err != nil {
		return nil, err
	}
	return []Row{row(op, streamShape, variant, r.dev.Info.Name, ms, flops, bytes)}, nil
}

// fill sets every buffer to a constant on the device (touching the memory
// once, and keeping denormals and NaNs out of the timings).
func (r *runner) fill(bufs ...*vk.Buffer) error {
	seq, err := r.record(false, func(seq *vk.Sequence) error {
		for i, b := range bufs {
			if err := r.lib.Fill(seq, b, b.Len(), float32(i+1)*0.5); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer seq.Destroy()
	return seq.Submit()
}
