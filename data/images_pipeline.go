package data

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// Pipeline makes training batches from an image set as score_sde's
// datasets.py does: an epoch is a fresh shuffle of the set cut into
// batches (the last partial batch dropped, as drop_remainder does), each
// image is optionally flipped left-right (random_flip) and dequantised
// (uniform_dequantization: (level + U[0,1)) / 256, else level / 255), then
// mapped to [-1, 1] when Centered. Labels travel with their images.
//
// Everything random is a function of (Seed, step) or (Seed, epoch), never
// of what ran before: Make(s) is the same whether a run started at 0 or
// resumed at s, so a resumed run is bit-identical. The generator is
// math/rand/v2's PCG, whose output Go keeps stable across releases; the
// shuffle and the draws below use only its raw Uint64s.
type Pipeline struct {
	Images     *Images
	Batch      int
	Centered   bool
	Dequantize bool
	Flip       bool
	Seed       uint64
}

// Batch is one training batch: B images in (B, C, H, W) order.
type Batch struct {
	Step, Epoch int
	X           []float32
	Labels      []int // nil for an unlabelled set
}

// Check says what is wrong with the pipeline's settings, if anything.
func (p *Pipeline) Check() error {
	switch {
	case p.Images == nil || p.Images.N < 1:
		return fmt.Errorf("data pipeline: no images")
	case p.Batch < 1 || p.Batch > p.Images.N:
		return fmt.Errorf("data pipeline: batch size %d, want 1..%d (the number of images)", p.Batch, p.Images.N)
	case p.Images.Labels != nil && len(p.Images.Labels) != p.Images.N:
		return fmt.Errorf("data pipeline: %d labels for %d images", len(p.Images.Labels), p.Images.N)
	}
	return nil
}

// BatchesPerEpoch is how many whole batches one epoch holds.
func (p *Pipeline) BatchesPerEpoch() int { return p.Images.N / p.Batch }

// Permutation is epoch's image order: a Fisher-Yates shuffle seeded by
// (Seed, epoch).
func (p *Pipeline) Permutation(epoch int) []int {
	r := rand.NewPCG(p.Seed, streamKey(uint64(epoch), 0))
	perm := make([]int, p.Images.N)
	for i := range perm {
		perm[i] = i
	}
	for i := len(perm) - 1; i > 0; i-- {
		j := below(r, i+1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}

// Make returns the batch of a global step (0-based; step s is batch
// s mod BatchesPerEpoch of epoch s / BatchesPerEpoch).
func (p *Pipeline) Make(step int) (*Batch, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if step < 0 {
		return nil, fmt.Errorf("data pipeline: step %d is negative", step)
	}
	return p.fill(step, p.Permutation(step/p.BatchesPerEpoch())), nil
}

// Stream makes the batches of steps from, from+1, ... on a goroutine,
// keeping up to ahead (at least 1) ready in the returned channel, so a
// trainer that takes one per step finds it waiting. It stops, closing the
// channel, when ctx is cancelled.
func (p *Pipeline) Stream(ctx context.Context, from, ahead int) (<-chan *Batch, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if from < 0 {
		return nil, fmt.Errorf("data pipeline: step %d is negative", from)
	}
	out := make(chan *Batch, max(ahead, 1))
	go func() {
		defer close(out)
		epoch, perm := -1, []int(nil)
		for step := from; ; step++ {
			if e := step / p.BatchesPerEpoch(); e != epoch {
				epoch, perm = e, p.Permutation(e)
			}
			select {
			case out <- p.fill(step, perm):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// fill makes step's batch from its epoch's permutation.
func (p *Pipeline) fill(step int, perm []int) *Batch {
	im := p.Images
	per := p.BatchesPerEpoch()
	b := &Batch{Step: step, Epoch: step / per, X: make([]float32, p.Batch*im.Dim())}
	if im.Labels != nil {
		b.Labels = make([]int, p.Batch)
	}
	r := rand.NewPCG(p.Seed, streamKey(uint64(step), 1))
	first := (step % per) * p.Batch
	for k := range p.Batch {
		idx := perm[first+k]
		if b.Labels != nil {
			b.Labels[k] = im.Labels[idx]
		}
		flip := p.Flip && r.Uint64()&1 == 1
		src, dst := im.Image(idx), b.X[k*im.Dim():(k+1)*im.Dim()]
		for i := range dst {
			x := i % im.W
			s := i
			if flip {
				s = i - x + im.W - 1 - x
			}
			dst[i] = p.value(src[s], r)
		}
	}
	return b
}

// value maps one 8-bit level to the model's range.
func (p *Pipeline) value(level uint8, r *rand.PCG) float32 {
	var v float64
	if p.Dequantize {
		u := float64(r.Uint64()>>11) / (1 << 53) // uniform in [0, 1)
		v = (float64(level) + u) / 256
	} else {
		v = float64(level) / 255
	}
	if p.Centered {
		v = 2*v - 1
	}
	return float32(v)
}

// below returns a uniform integer in [0, n): the high word of a 64x64-bit
// product (Lemire's method without rejection; its bias, n / 2^64, is far
// below anything a shuffle of a data set can show).
func below(r *rand.PCG, n int) int {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// streamKey gives each (index, purpose) its own PCG stream: splitmix64 of
// the pair, so neighbouring steps or epochs get unrelated sequences.
func streamKey(i, purpose uint64) uint64 {
	z := i<<1 | purpose
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
