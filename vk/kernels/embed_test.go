package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func TestFourierEmbed(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(9, 10))
	sin, err := SinusoidalFreqs(26, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sin[0]-1/(2*math.Pi)) > 1e-15 || math.Abs(sin[12]*2*math.Pi-1e-4) > 1e-15 {
		t.Fatalf("sinusoidal frequencies %g ... %g", sin[0], sin[12])
	}
	if _, err := SinusoidalFreqs(7, 10000); err == nil {
		t.Error("odd dim accepted")
	}
	cases := []struct {
		name string
		t, w []float64
	}{
		// Gaussian Fourier features, scale 16, at log sigma of VE (t in [-5, 4]).
		{"gaussian", randn(rng, 37, 2.5, -0.5), randn(rng, 13, 16, 0)},
		// DDPM sinusoidal embedding of integer times in [0, 999].
		{"sinusoidal", func() []float64 {
			v := make([]float64, 29)
			for i := range v {
				v[i] = float64(rng.IntN(1000))
			}
			return v
		}(), sin},
		{"one", []float64{0.3}, []float64{1.5}},
	}
	for _, c := range cases {
		want := ref.FourierEmbed(c.t, c.w)
		// Round t and w to float32 as the device sees them; the remaining
		// error is the float32 product t w, relative to |t w|.
		tb, wb, ob := upload(t, l, c.t), upload(t, l, c.w), newBuf(t, l, len(want))
		run(t, l, func(seq *vk.Sequence) error { return l.FourierEmbed(seq, tb, wb, ob, len(c.t), len(c.w)) })
		maxTW := 0.0
		for _, x := range c.t {
			for _, y := range c.w {
				maxTW = math.Max(maxTW, math.Abs(x*y))
			}
		}
		vktest.Close(t, c.name, download(t, ob, len(want)), want, 0, 1e-5+2*math.Pi*maxTW*2e-7)
	}
}
