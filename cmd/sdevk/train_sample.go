package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/train"
)

// emaSample draws n samples with the trainer's EMA weights by the config's
// sampler.
func emaSample(backend samplerBackend, c *config.Config, net model.ScoreNet, tr train.Runner, d, n int) ([]float64, sampleOpts, int, error) {
	weights, err := tr.EMAParams()
	if err != nil {
		return nil, sampleOpts{}, 0, err
	}
	src := scoreSource{Name: "EMA weights", Net: net, Weights: weights, Dim: d}
	o, err := buildSampleOpts(c, c.Sampling.Method, n, d, c.Seed, src, 0)
	if err != nil {
		return nil, o, 0, err
	}
	x, nfe, err := backend.Sample(context.Background(), o)
	if err != nil {
		return nil, o, 0, fmt.Errorf("%s: %w", describeSampler(o), err)
	}
	return x, o, nfe, nil
}

// sampleAfterTraining draws n samples with the EMA weights, writes
// samples.npy (and samples.png for 2-D data) into the run directory, and
// prints their quality against fresh exact samples.
func sampleAfterTraining(backend samplerBackend, c *config.Config, net model.ScoreNet, tr train.Runner, ds data.Dataset, n int, dir string, stdout io.Writer) error {
	d := ds.Dim()
	pts, o, nfe, err := emaSample(backend, c, net, tr, d, n)
	if err != nil {
		return err
	}
	if bad := countNonFinite(pts); bad > 0 {
		return fmt.Errorf("%s diverged: %d of %d values are NaN or Inf; samples not written", describeSampler(o), bad, len(pts))
	}
	npy := filepath.Join(dir, "samples.npy")
	if err := data.SaveNPY(npy, pts, n, d); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sampled %d points by %s, NFE %d: %s\n", n, describeSampler(o), nfe, npy)
	if d == 2 {
		png := filepath.Join(dir, "samples.png")
		if err := samplesPNG(png, ds, pts, "samples: "+describeSampler(o)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "plot: %s\n", png)
	}
	ref := ds.Sample(n, rand.New(rand.NewPCG(c.Seed, 0xe7a1)))
	ed, err := data.EnergyDistance(pts, ref, d)
	if err != nil {
		return err
	}
	floor := data.ExpectedNoiseFloor(ds, n, n, rand.New(rand.NewPCG(c.Seed, 0xf100)))
	fmt.Fprintf(stdout, "energy distance to exact samples %.4g (exact-vs-exact floor %.4g, ratio %.2f)\n", ed, floor, ed/floor)
	if m, ok := ds.(data.Mixture); ok {
		fmt.Fprintf(stdout, "mode weights %s (true %s)\n", fmtWeights(m.GMM().ModeWeights(pts)), fmtWeights(m.GMM().Weights()))
	}
	return nil
}
