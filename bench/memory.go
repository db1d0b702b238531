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
	var bufs [4]*vk.Buffer
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
	x, g, z, y := bufs[0], bufs[1], bufs[2], bufs[3]
	if err := r.fill(x, g, z, y); err != nil {
		return nil, err
	}
	seq, err := r.record(true, func(seq *vk.Sequence) error {
		return r.lib.AXPBYPCZ(seq, y, x, g, z, streamLen, 0.5, -0.25, 0.125)
	})
	if err != nil {
		return nil, err
	}
	defer seq.Destroy()
	ms, err := r.gpuTimes(seq)
	if err != nil {
		return nil, err
	}
	return []Row{row("fused", streamShape, "axpbypcz", r.dev.Info.Name, ms, 5*streamLen, 16*streamLen)}, nil
}

// copy times vkCmdCopyBuffer of 16M floats (GPU time, as the fused row):
// the memory reference for the fused row.
func (r *runner) copy() ([]Row, error) {
	src, err := r.dev.NewBufferF32(streamLen)
	if err != nil {
		return nil, err
	}
	defer src.Free()
	dst, err := r.dev.NewBufferF32(streamLen)
	if err != nil {
		return nil, err
	}
	defer dst.Free()
	if err := r.fill(src, dst); err != nil {
		return nil, err
	}
	seq, err := r.record(true, func(seq *vk.Sequence) error {
		seq.Copy(dst, src)
		return nil
	})
	if err != nil {
		return nil, err
	}
	defer seq.Destroy()
	ms, err := r.gpuTimes(seq)
	if err != nil {
		return nil, err
	}
	return []Row{row("copy", streamShape, "vkCmdCopyBuffer", r.dev.Info.Name, ms, 0, 8*streamLen)}, nil
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
