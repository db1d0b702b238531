package kernels

import (
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/vk"
)

// TestDropout: the one-pass dropout keeps and scales exactly the elements
// that ref.Dropout keeps, at every noise offset phase.
func TestDropout(t *testing.T) {
	l := testLib(t)
	const seed, stream, step = 0x0bad_cafe_f00d, 11, 3
	for _, n := range []int{1, 7, 1001} {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i%17) - 8.5
		}
		xb := upload(t, l, x)
		for _, rate := range []float64{0, 0.1, 0.5, 0.9} {
			for _, offset := range []int{0, 5, 4003} {
				key := rng.Key{Seed: seed, Stream: stream, Step: step}
				var want []float64
				if offset == 0 {
					want = ref.Dropout(x, rate, key)
				} else { // ref.Dropout's rule on values offset.. of the stream
					u := make([]float64, n)
					rng.UniformAt(u, key, offset)
					want = make([]float64, n)
					for i := range u {
						if u[i] >= rate {
							want[i] = x[i] / (1 - rate)
						}
					}
				}
				state := newBuf(t, l, SDEStateWords)
				state.UploadU32([]uint32{step, uint32(seed & 0xffffffff), uint32(seed >> 32), uint32(offset)})
				y := newBuf(t, l, n)
				run(t, l, func(seq *vk.Sequence) error { return l.Dropout(seq, xb, y, n, state, stream, rate) })
				got := download(t, y, n)
				// Kept elements are x * float32(1/(1-rate)) exactly, dropped ones 0.
				scale := float32(1 / (1 - rate))
				for i := range got {
					w := float32(0)
					if want[i] != 0 {
						w = float32(x[i]) * scale
					}
					if got[i] != w {
						t.Fatalf("n %d rate %g offset %d: element %d = %g, want %g", n, rate, offset, i, got[i], w)
					}
				}
			}
		}
	}
	run(t, l, func(seq *vk.Sequence) error {
		b := newBuf(t, l, 4)
		if err := l.Dropout(seq, b, b, 4, newBuf(t, l, SDEStateWords), 0, 1); err == nil {
			t.Error("rate 1 was accepted")
		}
		return nil
	})
}

// TestDropWords: the word threshold is exactly rng's uniform mapping's.
func TestDropWords(t *testing.T) {
	for _, c := range []struct {
		rate float64
		want uint32
	}{{0, 0}, {0.5 / (1 << 24), 0}, {1.5 / (1 << 24), 1}, {1.6 / (1 << 24), 2}, {0.5, 1 << 23}, {0.999999999, 1 << 24}} {
		if got := dropWords(c.rate); got != c.want {
			t.Errorf("dropWords(%g) = %d, want %d", c.rate, got, c.want)
		}
		// The first kept word is at or above the rate, the last dropped one below.
		if k := c.want; k < 1<<24 && (float64(k)+0.5)/(1<<24) < c.rate || k > 0 && (float64(k-1)+0.5)/(1<<24) >= c.rate {
			t.Errorf("dropWords(%g) = %d is not the boundary", c.rate, k)
		}
	}
}
