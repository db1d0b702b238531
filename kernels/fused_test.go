package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestAXPBYPCZ(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(5, 6))
	const a, b, c = 0.75, -1.5, 0.125
	for _, n := range []int{0, 1, 5, 1027, 100003} {
		x, g, z := randn(rng, n, 1, 0), randn(rng, n, 2, 0), randn(rng, n, 1, 1)
		want := AXPBYPCZRef(x, g, z, a, b, c)
		xb, gb, zb, yb := upload(t, l, x), upload(t, l, g), upload(t, l, z), newBuf(t, l, n)
		// Out of place, then in place (y = x), in one sequence.
		run(t, l, func(seq *vk.Sequence) error {
			if err := l.AXPBYPCZ(seq, yb, xb, gb, zb, n, a, b, c); err != nil {
				return err
			}
			return l.AXPBYPCZ(seq, xb, xb, gb, zb, n, a, b, c)
		})
		vktest.Close(t, "axpbypcz", download(t, yb, n), want, 1e-6, 1e-6)
		vktest.Close(t, "axpbypcz in place", download(t, xb, n), want, 1e-6, 1e-6)
	}
	short := newBuf(t, l, 3)
	seq, err := l.Dev.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Destroy()
	if err := l.AXPBYPCZ(seq, short, short, short, short, 4, 1, 1, 1); err == nil {
		t.Error("a 3-value buffer was accepted for n = 4")
	}
}
