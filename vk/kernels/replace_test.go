package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// TestReplaceKnown compares the inpainting projection with sde.Known.Replace
// given the same Philox draws, on sizes that are not multiples of the
// workgroup or of the Philox block, with a value and a mask per point.
func TestReplaceKnown(t *testing.T) {
	l := testLib(t)
	r := rand.New(rand.NewPCG(3, 4))
	const seed = 0x9abc_1234_5678
	for _, d := range []int{1, 3, 5} {
		for _, b := range []int{1, 7, 301} {
			k := sde.Known{Mask: make([]bool, b*d), Value: randn(r, b*d, 2, 0)}
			maskF := make([]float64, b*d)
			for i := range maskF {
				if r.IntN(2) == 0 {
					k.Mask[i], maskF[i] = true, 1
				}
			}
			x := randn(r, b*d, 1, 0)
			first := b + 1 // the batch holds points first.. of a run: noise offset first*d
			// Two rows (stride 6, (m, s) at column 2); the counter selects row 1.
			table := randn(r, 12, 1, 0)
			m, s := table[6+2], table[6+3]
			xb, coef := upload(t, l, x), upload(t, l, table)
			vb, mb := upload(t, l, k.Value), upload(t, l, maskF)
			state := newBuf(t, l, SDEStateWords)
			state.UploadU32([]uint32{1, uint32(seed & 0xffffffff), uint32(seed >> 32), uint32(first * d)})
			run(t, l, func(seq *vk.Sequence) error {
				return l.ReplaceKnown(seq, xb, b, d, vb, mb, Coef{Buf: coef, Col: 2, Stride: 6}, state, 11)
			})
			z := make([]float64, b*d)
			rng.NormalAt(z, rng.Key{Seed: seed, Stream: 11, Step: 1}, first*d)
			want := append([]float64(nil), x...)
			k.Replace(want, m, s, z)
			vktest.Close(t, "replace", download(t, xb, b*d), want, 1e-5, 1e-5)
		}
	}
}

// TestReplaceGrey compares the colourisation projection with
// sde.Grey.Replace given the same Philox draws, on pixel counts that are
// not multiples of the workgroup or of the Philox block, at noise offsets
// of several Philox phases (a batch of images first.. of a run).
func TestReplaceGrey(t *testing.T) {
	l := testLib(t)
	r := rand.New(rand.NewPCG(5, 6))
	const seed = 0x1234_9abc_5678
	for _, hw := range []int{1, 5, 9} {
		for _, b := range []int{1, 3, 70} {
			g := sde.Grey{HW: hw, Level: randn(r, b*hw, 1, 0.5)}
			x := randn(r, b*3*hw, 1, 0)
			table := randn(r, 12, 1, 0)
			m, s := table[6+2], table[6+3]
			xb, coef, gb := upload(t, l, x), upload(t, l, table), upload(t, l, g.Level)
			state := newBuf(t, l, SDEStateWords)
			off := (b + hw) * 3 * hw // images first = b + hw..: every phase mod 4 over the cases
			state.UploadU32([]uint32{1, uint32(seed & 0xffffffff), uint32(seed >> 32), uint32(off)})
			run(t, l, func(seq *vk.Sequence) error {
				return l.ReplaceGrey(seq, xb, b, hw, gb, Coef{Buf: coef, Col: 2, Stride: 6}, state, 13)
			})
			z := make([]float64, b*3*hw)
			rng.NormalAt(z, rng.Key{Seed: seed, Stream: 13, Step: 1}, off)
			want := append([]float64(nil), x...)
			g.Replace(want, m, s, z)
			vktest.Close(t, "replace grey", download(t, xb, b*3*hw), want, 1e-5, 1e-5)
		}
	}
	if err := l.ReplaceGrey(nil, upload(t, l, make([]float64, 8)), 1, 3, upload(t, l, make([]float64, 3)), Coef{Buf: upload(t, l, make([]float64, 2))}, newBuf(t, l, SDEStateWords), 0); err == nil {
		t.Error("ReplaceGrey accepted 8 values for one 3-channel image of 3 pixels")
	}
}
