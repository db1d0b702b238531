package kernels

import (
	"math"
	"testing"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

var randomRefs = map[RandomKind]func([]float64, rng.Key){
	RandomUniform: rng.Uniform, RandomNormal: rng.Normal, RandomRademacher: rng.Rademacher,
}

// randomRef returns values [offset, offset+n) of key's stream.
func randomRef(kind RandomKind, key rng.Key, offset, n int) []float64 {
	v := make([]float64, offset+n)
	randomRefs[kind](v, key)
	return v[offset:]
}

// exactF32 requires got to be the float32 rounding of want, bit for bit.
func exactF32(t *testing.T, name string, got []float32, want []float64) {
	t.Helper()
	bad := 0
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(float32(want[i])) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", name, i, got[i], float32(want[i]))
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values differ", name, bad, len(got))
	}
}

// TestRandomMatchesReference: device values equal package rng's. 20011
// values hit both float32 roundings of the uniform map (k below and above
// 2^23) and, about 40 times, the series for ln u0 near 1 in the normal map.
func TestRandomMatchesReference(t *testing.T) {
	l := testLib(t)
	keys := []rng.Key{{Seed: 42, Stream: 3, Step: 7}, {Seed: 0xfedcba9876543210, Stream: 1 << 31, Step: 0xffffffff}}
	for _, key := range keys {
		for kind := RandomUniform; kind <= RandomRademacher; kind++ {
			for _, c := range []struct{ n, offset int }{{0, 0}, {1, 0}, {1, 3}, {67, 0}, {1001, 5}, {20011, 2}, {7, 1<<33 + 2}} {
				var want []float64
				if c.offset < 1<<20 {
					want = randomRef(kind, key, c.offset, c.n)
				} else { // far offsets: the reference from the raw words
					want = make([]float64, c.n)
					for i := range want {
						want[i] = farRef(kind, key, c.offset+i)
					}
				}
				yb := newBuf(t, l, c.n)
				run(t, l, func(seq *vk.Sequence) error { return l.RandomAt(seq, kind, yb, c.n, key, c.offset) })
				got := download(t, yb, c.n)
				if kind == RandomNormal {
					vktest.Close(t, kind.String(), got, want, 2e-6, 2e-6)
				} else {
					exactF32(t, kind.String(), got, want)
				}
			}
		}
	}
}

// farRef is element i of a stream computed from rng.Key.Bits (rng's fill
// functions start at element 0).
func farRef(kind RandomKind, key rng.Key, i int) float64 {
	u := func(x uint32) float64 { return (float64(x>>8) + 0.5) / (1 << 24) }
	switch kind {
	case RandomUniform:
		return u(key.Bits(i))
	case RandomRademacher:
		return float64(int(key.Bits(i)>>31)*2 - 1)
	}
	p := i &^ 1
	r := math.Sqrt(-2 * math.Log(u(key.Bits(p))))
	a := 2 * math.Pi * u(key.Bits(p+1))
	if i&1 == 0 {
		return r * math.Cos(a)
	}
	return r * math.Sin(a)
}

// TestRandomMoments: mean and variance of each distribution.
func TestRandomMoments(t *testing.T) {
	l := testLib(t)
	const n = 100003
	key := rng.Key{Seed: 7, Stream: 1, Step: 2}
	tol := 5 / math.Sqrt(n)
	for kind, m := range map[RandomKind][2]float64{RandomUniform: {0.5, 1.0 / 12}, RandomNormal: {0, 1}, RandomRademacher: {0, 1}} {
		yb := newBuf(t, l, n)
		run(t, l, func(seq *vk.Sequence) error { return l.Random(seq, kind, yb, n, key) })
		got := download(t, yb, n)
		mean, vr := 0.0, 0.0
		for _, v := range got {
			mean += float64(v)
		}
		mean /= n
		for _, v := range got {
			vr += (float64(v) - mean) * (float64(v) - mean)
		}
		vr /= n
		if math.Abs(mean-m[0]) > tol || math.Abs(vr-m[1]) > 3*tol*m[1] {
			t.Errorf("%s: mean %.5f var %.5f, want %.5f %.5f", kind, mean, vr, m[0], m[1])
		}
	}
}

// TestRandomDispatchIndependent: another workgroup width, and a draw in two
// pieces, give the same bits as one draw.
func TestRandomDispatchIndependent(t *testing.T) {
	l := testLib(t)
	other := New(l.Dev)
	other.Tuning.Local1D = 8
	const n, cut = 5003, 1235
	key := rng.Key{Seed: 99, Stream: 4, Step: 11}
	for kind := RandomUniform; kind <= RandomRademacher; kind++ {
		a, b := newBuf(t, l, n), newBuf(t, l, n)
		lo, hi := newBuf(t, l, cut), newBuf(t, l, n-cut)
		run(t, l, func(seq *vk.Sequence) error {
			if err := l.Random(seq, kind, a, n, key); err != nil {
				return err
			}
			if err := other.Random(seq, kind, b, n, key); err != nil {
				return err
			}
			if err := l.RandomAt(seq, kind, lo, cut, key, 0); err != nil {
				return err
			}
			return other.RandomAt(seq, kind, hi, n-cut, key, cut)
		})
		ga, gb := download(t, a, n), download(t, b, n)
		gc := append(download(t, lo, cut), download(t, hi, n-cut)...)
		for i := range ga {
			if math.Float32bits(ga[i]) != math.Float32bits(gb[i]) || math.Float32bits(ga[i]) != math.Float32bits(gc[i]) {
				t.Fatalf("%s[%d]: %v (local %d), %v (local %d), %v (two pieces)", kind, i, ga[i], l.Tuning.Local1D, gb[i], other.Tuning.Local1D, gc[i])
			}
		}
	}
}
