package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestLinComb(t *testing.T) {
	l := testLib(t)
	r := rand.New(rand.NewPCG(7, 8))
	const seed = 0x1234_5678_9abc
	for _, nv := range []int{0, 1, 2, 5, 8} {
		for _, n := range []int{1, 6, 259, 1001} {
			for _, noise := range []Noise{NoNoise, NormalNoise, UniformNoise, RademacherNoise} {
				vecs := make([][]float64, nv)
				bufs := make([]*vk.Buffer, nv)
				for j := range vecs {
					vecs[j] = randn(r, n, 1, 0)
					bufs[j] = upload(t, l, vecs[j])
				}
				// Two rows of coefficients (stride 14, column 3); the
				// counter selects row 1.
				table := randn(r, 28, 1, 0)
				row := table[14+3 : 14+3+nv+2]
				coef := upload(t, l, table)
				state := newBuf(t, l, SDEStateWords)
				// Noise offsets of every phase: a batch of points K.. of a run.
				for _, offset := range []int{0, 5, 1<<20 + 2, 4003} {
					state.UploadU32([]uint32{1, uint32(seed & 0xffffffff), uint32(seed >> 32), uint32(offset)})
					y := newBuf(t, l, n)
					run(t, l, func(seq *vk.Sequence) error {
						return l.LinComb(seq, y, n, Coef{Buf: coef, Col: 3, Stride: 14}, state, noise, 9, bufs...)
					})
					want := LinCombRefAt(n, row, noise, rng.Key{Seed: seed, Stream: 9, Step: 1}, offset, vecs...)
					vktest.Close(t, "lincomb", download(t, y, n), want, 1e-5, 1e-5)
				}
			}
		}
	}
}

// An in-place update replayed three times advances the counter, drawing new
// noise and reading the next row each step.
func TestLinCombReplayAdvances(t *testing.T) {
	l := testLib(t)
	const n, steps = 37, 3
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = float64(i)
	}
	table := []float64{}
	for s := 0; s < steps; s++ {
		table = append(table, 0.5+float64(s), 0.1*float64(s+1), 0) // c_x, c_noise, c_const
	}
	x, coef, state := upload(t, l, x0), upload(t, l, table), newBuf(t, l, SDEStateWords)
	state.UploadU32([]uint32{0, 5, 0, 0})
	seq, err := l.Dev.NewSequence(false)
	if err != nil {
		t.Fatal(err)
	}
	defer seq.Destroy()
	seq.Begin()
	if err := l.LinComb(seq, x, n, Coef{Buf: coef, Stride: 3}, state, NormalNoise, 2, x); err != nil {
		t.Fatal(err)
	}
	l.Advance(seq, state)
	seq.End()
	want := x0
	for s := 0; s < steps; s++ {
		if err := seq.Submit(); err != nil {
			t.Fatal(err)
		}
		want = LinCombRef(n, table[3*s:3*s+3], NormalNoise, rng.Key{Seed: 5, Stream: 2, Step: uint32(s)}, want)
	}
	vktest.Close(t, "replayed lincomb", download(t, x, n), want, 1e-5, 1e-5)
	got := make([]uint32, 1)
	state.DownloadU32(got)
	if got[0] != steps {
		t.Errorf("counter = %d after %d replays", got[0], steps)
	}
}

func TestLangevinSNR(t *testing.T) {
	l := testLib(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, b := range []int{1, 63, 200} {
		gs, zs := randn(r, b, 1, 3), randn(r, b, 1, 2)
		for i := range gs {
			gs[i], zs[i] = gs[i]*gs[i], zs[i]*zs[i]
		}
		table := []float64{0, 0.7, 0, 0.3, 0, 0, 0, 0, 0, 0}
		coef, state := upload(t, l, table), newBuf(t, l, SDEStateWords)
		state.UploadU32([]uint32{1, 0, 0, 0}) // row 1 of stride 2: alpha at column 1 = 0.3
		run(t, l, func(seq *vk.Sequence) error {
			return l.LangevinSNR(seq, upload(t, l, gs), upload(t, l, zs), b, state, coef, 2, 1, 6, 0.16)
		})
		want := LangevinSNRRef(gs, zs, 0.3, 0.16)
		vktest.Close(t, "snr", download(t, coef, 10)[6:], want[:], 1e-5, 1e-9)
	}
}

// TestLangevinPerSample: each sample's step from its own norms, on sizes
// that are not multiples of the workgroup.
func TestLangevinPerSample(t *testing.T) {
	l := testLib(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, d := range []int{3, 5} {
		for _, b := range []int{1, 7, 67} {
			x, sc, z := randn(r, b*d, 1, 0), randn(r, b*d, 2, 0), randn(r, b*d, 1, 0)
			gs, zs := make([]float64, b), make([]float64, b)
			for i := 0; i < b; i++ {
				gs[i], zs[i] = sumSq(sc[i*d:(i+1)*d]), sumSq(z[i*d:(i+1)*d])
			}
			table := []float64{0, 0.7, 0, 0.3}
			coef, state := upload(t, l, table), newBuf(t, l, SDEStateWords)
			state.UploadU32([]uint32{1, 0, 0, 0}) // row 1 of stride 2: alpha at column 1 = 0.3
			xb := upload(t, l, x)
			run(t, l, func(seq *vk.Sequence) error {
				return l.LangevinPerSample(seq, xb, upload(t, l, sc), upload(t, l, z), upload(t, l, gs), upload(t, l, zs), b, d, state, coef, 2, 1, 0.16)
			})
			LangevinPerSampleRef(x, sc, z, d, 0.3, 0.16)
			vktest.Close(t, "langevin per sample", download(t, xb, b*d), x, 1e-5, 1e-5)
		}
	}
}

func TestRKScaled(t *testing.T) {
	l := testLib(t)
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 65, 1000} {
		e, a, b := randn(r, n, 1, 0), randn(r, n, 3, 0), randn(r, n, 3, 0)
		y := newBuf(t, l, n)
		run(t, l, func(seq *vk.Sequence) error {
			return l.RKScaled(seq, upload(t, l, e), upload(t, l, a), upload(t, l, b), y, n, 1e-3, 1e-5)
		})
		vktest.Close(t, "rk scaled", download(t, y, n), RKScaledRef(e, a, b, 1e-3, 1e-5), 1e-5, 0)
	}
}
