package sampling

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// imageGMM treats a mixture of 3-channel 2x3 "images" (d = 18) as image
// data, so the constrained samplers run on images with the exact score.
func imageGMM(t *testing.T) *data.GMM {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	mean := func() []float64 {
		m := make([]float64, 18)
		for i := range m {
			m[i] = r.Float64()
		}
		return m
	}
	g, err := data.NewGMM([]data.Component{{Weight: 0.4, Mean: mean(), Std: 0.2}, {Weight: 0.6, Mean: mean(), Std: 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// imagesOf draws n data images of g.
func imagesOf(g *data.GMM, n int) []float64 {
	return g.Sample(n, rand.New(rand.NewPCG(9, 10)))
}

// TestConstrainedImagesBackendsAgree (Acceptance 2): inpainting with a
// value and mask per image, and colourisation, follow sde.PCInpaint with
// the same Philox draws on the device; the known pixels hold the data and
// the grey levels are the data's at the end.
func TestConstrainedImagesBackendsAgree(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	g := imageGMM(t)
	const n, d = 9, 18
	truth := imagesOf(g, n)
	r := rand.New(rand.NewPCG(11, 12))
	mask := make([]bool, n*d)
	for i := range mask {
		mask[i] = r.IntN(2) == 0
	}
	grey, err := sde.GreyOf(truth, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		known sde.Constraint
		check func(x []float64) error
	}{
		{"inpaint", sde.Known{Mask: mask, Value: truth}, func(x []float64) error {
			for i, m := range mask {
				if m && x[i] != float64(float32(truth[i])) {
					return fmt.Errorf("known element %d is %g, the data %g", i, x[i], truth[i])
				}
			}
			return nil
		}},
		{"colorize", grey, func(x []float64) error {
			got, _ := sde.GreyOf(x, d)
			for i, v := range got.Level {
				if math.Abs(v-grey.Level[i]) > 1e-6 {
					return fmt.Errorf("grey level of pixel %d is %g, the data's %g", i, v, grey.Level[i])
				}
			}
			return nil
		}},
	} {
		for _, run := range []struct {
			m    Method
			sets []string
		}{
			{PC, []string{"sde.beta_max=10", "sampling.n_steps=12"}},
			{EM, []string{"sde.beta_max=10", "sampling.n_steps=12"}},
			{PC, []string{"sde.kind=ve", "sde.sigma_max=3", "sampling.n_steps=12"}},
			{EM, []string{"sde.kind=subvp", "sde.beta_max=10", "sampling.n_steps=12"}},
		} {
			req := inpaintRequest(t, g, run.m, n, sde.Known{}, run.sets...)
			req.Known = c.known
			want, got := sampleBoth(t, dev, req)
			if err := c.check(got); err != nil {
				t.Errorf("%s %s device: %v", c.name, req.Describe(), err)
			}
			if err := c.check(want); err != nil && c.name == "colorize" {
				t.Errorf("%s %s reference: %v", c.name, req.Describe(), err)
			}
			vktest.Close(t, c.name+" "+req.Describe(), float32s(got), want, 2e-3, 2e-3)
			// In batches of 4, each batch takes its own images' data.
			batched, _, err := (&Device{Dev: dev, MaxBatch: 4}).Sample(context.Background(), req)
			if err != nil {
				t.Fatalf("%s %s device in batches: %v", c.name, req.Describe(), err)
			}
			if err := c.check(batched); err != nil {
				t.Errorf("%s %s device in batches: %v", c.name, req.Describe(), err)
			}
		}
	}
}

// TestConstraintErrors: constraints that do not fit the request are
// errors naming the problem.
func TestConstraintErrors(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	g := imageGMM(t)
	for _, c := range []struct {
		known sde.Constraint
		want  string
	}{
		{sde.Known{Mask: make([]bool, 2*18), Value: make([]float64, 2*18)}, "for 2 points, the batch has 5"},
		{sde.Grey{HW: 6, Level: make([]float64, 6)}, "grey levels for 6 pixels, the batch has 5 images"},
		{sde.Grey{HW: 4, Level: make([]float64, 20)}, "4-pixel 3-channel images, the data has 18"},
	} {
		req := inpaintRequest(t, g, PC, 5, sde.Known{})
		req.Known = c.known
		for _, b := range []Backend{Reference{}, &Device{Dev: dev}} {
			if _, _, err := b.Sample(context.Background(), req); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%T: err = %v, want %q", b, err, c.want)
			}
		}
	}
}
