package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// Dropout records y = graph.Dropout(x, rate, stream) over n elements in one
// pass: element i is zeroed when uniform number offset + i of the state's
// key (seed, stream, Philox step = the state's counter, offset = state word
// 3; LinComb's uniform noise) is below rate, and scaled by 1/(1-rate)
// otherwise. The test is made on the Philox word, so the mask is exactly
// ref.Dropout's for the same key.
func (l *Lib) Dropout(seq *vk.Sequence, x, y *vk.Buffer, n int, state *vk.Buffer, stream uint32, rate float64) error {
	if rate < 0 || rate >= 1 || math.IsNaN(rate) {
		return fmt.Errorf("kernels: dropout: rate %g not in [0, 1)", rate)
	}
	if err := checkLen("dropout", "x", x, n); err != nil {
		return err
	}
	if err := checkLen("dropout", "y", y, n); err != nil {
		return err
	}
	if err := checkLen("dropout", "state", state, SDEStateWords); err != nil {
		return err
	}
	k, err := l.kernel1D("dropout", dropWords(rate), math.Float32bits(float32(1/(1-rate))))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(noiseBlocks(n)), vk.Push(uint32(n), stream), x, state, y)
}

// dropWords is the number of 24-bit uniform words k that ref.Dropout drops
// at rate: those with (k + 0.5) / 2^24 < rate (rng's uniform mapping),
// that is k < rate 2^24 - 0.5 (exact in float64).
func dropWords(rate float64) uint32 {
	return uint32(min(max(math.Ceil(rate*(1<<24)-0.5), 0), 1<<24))
}
