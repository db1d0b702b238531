package rng

import (
	"math"
	"testing"
)

// Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32_10).
func TestPhiloxKnownAnswers(t *testing.T) {
	cases := []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, c := range cases {
		if got := Philox4x32(c.ctr, c.key); got != c.want {
			t.Errorf("Philox4x32(%x, %x) = %x, want %x", c.ctr, c.key, got, c.want)
		}
	}
}

func moments(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x))
}

func TestMoments(t *testing.T) {
	const n = 200003 // not a multiple of 4
	x := make([]float64, n)
	tol := 5 / math.Sqrt(n)
	cases := []struct {
		name     string
		fill     func([]float64, Key)
		mean, vr float64
	}{
		{"uniform", Uniform, 0.5, 1.0 / 12},
		{"normal", Normal, 0, 1},
		{"rademacher", Rademacher, 0, 1},
	}
	for _, c := range cases {
		c.fill(x, Key{Seed: 42, Stream: 3, Step: 7})
		m, v := moments(x)
		if math.Abs(m-c.mean) > tol || math.Abs(v-c.vr) > 3*tol*c.vr+1e-9 {
			t.Errorf("%s: mean %.5f var %.5f, want %.5f %.5f", c.name, m, v, c.mean, c.vr)
		}
	}
}

func TestPrefixIndependence(t *testing.T) {
	k := Key{Seed: 1, Stream: 2, Step: 3}
	long, short := make([]float64, 103), make([]float64, 37)
	Normal(long, k)
	Normal(short, k)
	for i := range short {
		if short[i] != long[i] {
			t.Fatalf("element %d depends on the draw size: %v vs %v", i, short[i], long[i])
		}
	}
	other := make([]float64, 37)
	Normal(other, Key{Seed: 1, Stream: 3, Step: 3})
	same := 0
	for i := range other {
		if other[i] == short[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("streams 2 and 3 share %d values", same)
	}
}

// A draw made in pieces at offsets equals one draw, for every kind.
func TestDrawAtOffsets(t *testing.T) {
	k := Key{Seed: 99, Stream: 3, Step: 2}
	kinds := []struct {
		name string
		all  func([]float64, Key)
		at   func([]float64, Key, int)
	}{{"uniform", Uniform, UniformAt}, {"normal", Normal, NormalAt}, {"rademacher", Rademacher, RademacherAt}}
	for _, kind := range kinds {
		whole := make([]float64, 23)
		kind.all(whole, k)
		for _, cut := range [][2]int{{0, 5}, {1, 7}, {3, 20}, {6, 23}, {22, 23}} {
			part := make([]float64, cut[1]-cut[0])
			kind.at(part, k, cut[0])
			for i, v := range part {
				if v != whole[cut[0]+i] {
					t.Fatalf("%s: element %d of the piece at %d is %v, want %v", kind.name, i, cut[0], v, whole[cut[0]+i])
				}
			}
		}
	}
}
