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
		checkAXPBYPCZ(t, l, rng, n, a, b, c)
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

// checkAXPBYPCZ runs y = a x + b g + c z over n random values out of place,
// then in place (y = x) in the same sequence, against AXPBYPCZRef.
func checkAXPBYPCZ(t *testing.T, l *Lib, rng *rand.Rand, n int, a, b, c float64) {
	t.Helper()
	x, g, z := randn(rng, n, 1, 0), randn(rng, n, 2, 0), randn(rng, n, 1, 1)
	want := AXPBYPCZRef(x, g, z, a, b, c)
	xb, gb, zb, yb := upload(t, l, x), upload(t, l, g), upload(t, l, z), newBuf(t, l, n)
	run(t, l, func(seq *vk.Sequence) error {
		if err := l.AXPBYPCZ(seq, yb, xb, gb, zb, n, float32(a), float32(b), float32(c)); err != nil {
			return err
		}
		return l.AXPBYPCZ(seq, xb, xb, gb, zb, n, float32(a), float32(b), float32(c))
	})
	vktest.Close(t, "axpbypcz", download(t, yb, n), want, 1e-6, 1e-6)
	vktest.Close(t, "axpbypcz in place", download(t, xb, n), want, 1e-6, 1e-6)
}
