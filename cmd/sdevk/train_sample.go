package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/sde/train"
)

// emaSample draws n samples with the trainer's EMA weights by the config's
// sampler.
func emaSample(backend sampling.Backend, c *config.Config, net model.ScoreNet, tr train.Runner, d, n int) ([]float64, sampling.Request, int, error) {
	src, err := train.EMAModel(tr, net, d)
	if err != nil {
		return nil, sampling.Request{}, 0, err
	}
	method, err := sampling.ParseMethod(c.Sampling.Method)
	if err != nil {
		return nil, sampling.Request{}, 0, usagef("%s: sampling.method: %v", c.File, err)
	}
	o, err := sampling.NewRequest(c, method, n, d, c.Seed, src)
	if err != nil {
		return nil, o, 0, usagef("%v", err)
	}
	x, nfe, err := backend.Sample(cmdContext, o)
	if err != nil {
		return nil, o, 0, fmt.Errorf("%s: %w", o.Describe(), backendErr(err))
	}
	return x, o, nfe, nil
}

// sampleAfterTraining draws n samples with the EMA weights, writes
// samples.npy (and samples.png for 2-D data) into the run directory, and
// prints their quality against fresh exact samples.
func sampleAfterTraining(backend sampling.Backend, c *config.Config, net model.ScoreNet, tr train.Runner, ds data.Dataset, n int, dir string, stdout io.Writer) error {
	d := ds.Dim()
	pts, o, nfe, err := emaSample(backend, c, net, tr, d, n)
	if err != nil {
		return err
	}
	if bad := countNonFinite(pts); bad > 0 {
		return fmt.Errorf("%s diverged: %d of %d values are NaN or Inf; samples not written", o.Describe(), bad, len(pts))
	}
	npy := filepath.Join(dir, "samples.npy")
	if err := data.SaveNPY(npy, pts, n, d); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sampled %d points by %s, NFE %d: %s\n", n, o.Describe(), nfe, npy)
	if d == 2 {
		png := filepath.Join(dir, "samples.png")
		if err := samplesPNG(png, ds, pts, "samples: "+o.Describe()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "plot: %s\n", png)
	}
	q, err := train.MeasureQuality(ds, pts, c.Seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "energy distance to exact samples %.4g (exact-vs-exact floor %.4g, ratio %.2f)\n", q.EnergyDistance, q.NoiseFloor, q.EnergyDistance/q.NoiseFloor)
	if q.ModeWeights != nil {
		fmt.Fprintf(stdout, "mode weights %s (true %s)\n", fmtWeights(q.ModeWeights), fmtWeights(q.TrueWeights))
	}
	return nil
}
