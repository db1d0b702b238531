package sampling

import (
	"context"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// TestFirstIndexesTheRun: a request for points first.. of a run gives what
// the whole run gives them, bit for bit on each backend (the reference's
// float64 draws and the device's are indexed by the point's run index), and
// the two backends agree, for the samplers that hold the (seed, i) property.
func TestFirstIndexesTheRun(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	const n, d, first, part = 13, 2, 5, 6 // first*d is not a multiple of a Philox block
	for _, tc := range []struct {
		method    Method
		sets      []string
		perSample bool // the Langevin corrector's per-sample step size
	}{
		{EM, nil, false},
		{PC, []string{"sampling.method=pc", "sampling.predictor=reverse_diffusion", "sampling.corrector=langevin"}, true},
		{PC, []string{"sampling.method=pc", "sampling.predictor=reverse_diffusion", "sampling.corrector=ald"}, false},
		{ODE, []string{"sampling.ode_solver=euler"}, false},
		{DDIM, []string{"sampling.eta=1"}, false},
		{DPMPP2M, nil, false},
		{ALD, []string{"sampling.n_steps_each=3"}, false},
	} {
		c, err := config.Parse("tiny.toml", []byte(tinyNetConfig), tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewRequest(c, tc.method, n, d, 11, OracleModel(data.EightGaussians()))
		if err != nil {
			t.Fatal(err)
		}
		if tc.method == PC && r.PC.Corrector == sde.CorrectorNone {
			t.Fatalf("%v: the config gave no corrector", tc.sets)
		}
		r.PC.PerSampleSNR = tc.perSample
		sub := r
		sub.First, sub.N = first, part
		for _, b := range []Backend{Reference{}, &Device{Dev: dev}} {
			whole, _, err := b.Sample(context.Background(), r)
			if err != nil {
				t.Fatalf("%s on %T: %v", r.Describe(), b, err)
			}
			x, _, err := b.Sample(context.Background(), sub)
			if err != nil {
				t.Fatalf("%s on %T from %d: %v", r.Describe(), b, first, err)
			}
			for i, v := range x {
				if got := whole[first*d+i]; got != v {
					t.Fatalf("%s on %T: value %d of points %d..: %v, in the whole run %v", r.Describe(), b, i, first, v, got)
				}
			}
		}
		if r.PC.Corrector != sde.CorrectorNone {
			continue // sde.PCSample numbers its corrector draws its own way
		}
		ref, onDev := sampleBoth(t, dev, sub) // errors fail the test, not an empty comparison
		vktest.Close(t, r.Describe()+" from point 5", float32s(onDev), ref, 2e-3, 2e-3)
	}
}
