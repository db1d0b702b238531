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

// dispatchCases time 100 small unary dispatches (1024 elements) recorded in
// one command buffer, as the wall time of one submit divided by 100:
// "independent" writes 100 different outputs (no barriers), "chain" feeds
// each dispatch the previous one's output (a barrier before each), compared
// with independent.
func (r *runner) dispatchCases() []*Case {
	shape := fmt.Sprintf("%dx unary(%d)", dispatchCount, dispatchLen)
	mk := func(variant string, chain bool) *Case {
		return &Case{Op: "dispatch", Shape: shape, Variant: variant, PerReplay: dispatchCount, prepare: func() (*Replay, error) {
			lens := make([]int, dispatchCount+1)
			for i := range lens {
				lens[i] = dispatchLen
			}
			bufs, err := r.randomBuffers(lens...)
			if err != nil {
				return nil, err
			}
			return r.wallReplay(func(seq *vk.Sequence) error {
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
			}, bufs...)
		}}
	}
	independent := mk("independent", false)
	chain := mk("chain", true)
	chain.Ref = independent
	return []*Case{independent, chain}
}
