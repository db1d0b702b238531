package bench

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

const (
	dispatchCount = 100
	dispatchLen   = 1024
)

// dispatch times 100 small unary dispatches (1024 elements) recorded in one
// command buffer, as the wall time of one submit divided by 100:
// "independent" writes 100 different outputs (no barriers), "chain" feeds
// each dispatch the previous one's output (a barrier before each).
func (r *runner) dispatch() ([]Row, error) {
	bufs := make([]*vk.Buffer, dispatchCount+1)
	defer func() {
		for _, b := range bufs {
			b.Free()
		}
	}()
	for i := range bufs {
		b, err := r.buffer(dispatchLen)
		if err != nil {
			return nil, err
		}
		bufs[i] = b
	}
	shape := fmt.Sprintf("%dx unary(%d)", dispatchCount, dispatchLen)
	var rows []Row
	for _, chain := range []bool{false, true} {
		seq, err := r.record(false, func(seq *vk.Sequence) error {
			for i := 0; i < dispatchCount; i++ {
				in := bufs[0]
				if chain {
					in = bufs[i]
				}
				if err := r.lib.Unary(seq, kernels.Tanh, in, bufs[i+1], dispatchLen, 0.5, 0, 0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		ms, err := r.wallTimes(seq.Submit)
		seq.Destroy()
		if err != nil {
			return nil, err
		}
		for i := range ms {
			ms[i] /= dispatchCount
		}
		variant := "independent"
		if chain {
			variant = "chain"
		}
		rows = append(rows, row("dispatch", shape, variant, r.dev.Info.Name, ms, 0, 0))
	}
	return rows, nil
}
