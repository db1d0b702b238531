package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/vk"
)

// RandomKind selects the distribution of Random (the random shader's
// specialization constant).
type RandomKind uint32

// The distributions; the numbers are random.comp's KIND codes. Each matches
// the function of the same name in package rng.
const (
	RandomUniform    RandomKind = iota // uniform in (0, 1) (float32 rounding may give 1)
	RandomNormal                       // standard normal (Box-Muller)
	RandomRademacher                   // -1 or +1 with equal probability
)

var randomNames = [...]string{"uniform", "normal", "rademacher"}

func (k RandomKind) String() string {
	if int(k) < len(randomNames) {
		return randomNames[k]
	}
	return fmt.Sprintf("random(%d)", uint32(k))
}

// Random records y[i] = value i of key's stream for i < n: element i equals
// element i of rng.Uniform, rng.Normal or rng.Rademacher for the same key
// (uniform and Rademacher values bit for bit, normal ones to float32
// accuracy), whatever the device or workgroup size.
func (l *Lib) Random(seq *vk.Sequence, kind RandomKind, y *vk.Buffer, n int, key rng.Key) error {
	return l.RandomAt(seq, kind, y, n, key, 0)
}

// RandomAt records y[i] = value offset + i of key's stream for i < n, so a
// long stream can be drawn in pieces (or a tensor slice filled) with the same
// values as one draw.
func (l *Lib) RandomAt(seq *vk.Sequence, kind RandomKind, y *vk.Buffer, n int, key rng.Key, offset int) error {
	name := "random " + kind.String()
	if kind > RandomRademacher {
		return fmt.Errorf("kernels: %s: unknown kind", name)
	}
	if offset < 0 || n < 0 || uint64(offset)+uint64(n) > 1<<34 {
		return fmt.Errorf("kernels: %s: elements [%d, %d) outside the 2^34 a key addresses", name, offset, offset+n)
	}
	if err := checkLen(name, "y", y, n); err != nil {
		return err
	}
	k, err := l.kernel1D("random", uint32(kind))
	if err != nil {
		return err
	}
	phase := offset % 4
	blocks := (n + phase + 3) / 4
	if n == 0 {
		blocks = 0
	}
	push := vk.Push(uint32(n), uint32(key.Seed), uint32(key.Seed>>32), key.Stream, key.Step,
		uint32(offset/4), uint32(phase))
	return seq.Dispatch(k, k.Groups(blocks), push, y)
}
