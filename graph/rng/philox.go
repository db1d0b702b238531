package rng

import "math"

// Key selects one sequence of random numbers. Element i of any draw depends
// only on (Key, i).
type Key struct {
	Seed   uint64
	Stream uint32
	Step   uint32
}

const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// Philox4x32 is the Philox4x32-10 block function.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	for r := 0; r < 10; r++ {
		if r > 0 {
			key[0] += philoxW0
			key[1] += philoxW1
		}
		p0 := uint64(philoxM0) * uint64(ctr[0])
		p1 := uint64(philoxM1) * uint64(ctr[2])
		ctr = [4]uint32{
			uint32(p1>>32) ^ ctr[1] ^ key[0], uint32(p1),
			uint32(p0>>32) ^ ctr[3] ^ key[1], uint32(p0),
		}
	}
	return ctr
}

// block returns the four raw words of block b of key k.
func (k Key) block(b uint32) [4]uint32 {
	return Philox4x32([4]uint32{b, k.Step, k.Stream, 0}, [2]uint32{uint32(k.Seed), uint32(k.Seed >> 32)})
}

// Bits returns the raw 32-bit word for element i.
func (k Key) Bits(i int) uint32 { return k.block(uint32(i / 4))[i%4] }

func toUniform(x uint32) float64 { return (float64(x>>8) + 0.5) / (1 << 24) }

// Uniform fills dst with uniform values in (0, 1).
func Uniform(dst []float64, k Key) { UniformAt(dst, k, 0) }

// Normal fills dst with standard normal values (Box-Muller within each block).
func Normal(dst []float64, k Key) { NormalAt(dst, k, 0) }

// Rademacher fills dst with values that are -1 or +1 with equal probability.
func Rademacher(dst []float64, k Key) { RademacherAt(dst, k, 0) }

// UniformAt fills dst with values offset .. offset+len(dst)-1 of Uniform's
// sequence, so a long draw can be made in pieces (a run split by sample).
func UniformAt(dst []float64, k Key, offset int) {
	fillAt(dst, k, offset, func(w [4]uint32, l int) float64 { return toUniform(w[l]) })
}

// NormalAt fills dst with values offset .. offset+len(dst)-1 of Normal's
// sequence.
func NormalAt(dst []float64, k Key, offset int) {
	fillAt(dst, k, offset, func(w [4]uint32, l int) float64 {
		p := l &^ 1
		r := math.Sqrt(-2 * math.Log(toUniform(w[p])))
		a := 2 * math.Pi * toUniform(w[p+1])
		if l&1 == 0 {
			return r * math.Cos(a)
		}
		return r * math.Sin(a)
	})
}

// RademacherAt fills dst with values offset .. offset+len(dst)-1 of
// Rademacher's sequence.
func RademacherAt(dst []float64, k Key, offset int) {
	fillAt(dst, k, offset, func(w [4]uint32, l int) float64 { return float64(int(w[l]>>31)*2 - 1) })
}

// fillAt sets dst[i] = value(block, lane) of global element offset + i.
func fillAt(dst []float64, k Key, offset int, value func(w [4]uint32, lane int) float64) {
	var w [4]uint32
	for i := range dst {
		g := offset + i
		if i == 0 || g%4 == 0 {
			w = k.block(uint32(g / 4))
		}
		dst[i] = value(w, g%4)
	}
}
