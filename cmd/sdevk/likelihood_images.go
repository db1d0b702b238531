package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
)

// imageLikelihoodReport is the JSON of `sdevk likelihood` on images.
type imageLikelihoodReport struct {
	odeRun
	First       int       `json:"first"`
	BitsPerDim  []float64 `json:"bits_per_dim"`
	MeanBPD     float64   `json:"mean_bits_per_dim"`
	StdErrBPD   float64   `json:"stderr_bits_per_dim"`
	Dequantized bool      `json:"uniform_dequantization"`
}

// imageLikelihood is score_sde's bits/dim: images k in {0..255} become
// x = lo + w (k + u) / 256 with u ~ U[0, 1) drawn from the seed (uniform
// dequantisation into the model's range [lo, lo + w]), log p(x) comes from
// the probability-flow ODE, and bpd = -log p / (D ln 2) + 8 - log2 w
// (sde.BitsPerDim). It reports the mean and its standard error over the
// images first..first+n-1 of the split (test, train, or a path).
func imageLikelihood(c *config.Config, src sampling.ScoreModel, backend sampling.Backend, split string, first, n int, l config.LikelihoodConfig, est sde.Estimator, seed uint64, device, out string, stdout io.Writer) error {
	if err := checkOutPath("--out", out); err != nil {
		return err
	}
	if split == "" {
		split = "test"
	}
	im, err := likelihoodImages(c, split)
	if err != nil {
		return err
	}
	if first < 0 || first >= im.N {
		return usagef("--first: %d, the %s images are 0..%d", first, split, im.N-1)
	}
	if n <= 0 || first+n > im.N {
		n = im.N - first
	}
	d := im.Dim()
	lo, width := 0.0, 1.0
	if c.Data.Centered {
		lo, width = -1, 2
	}
	x := make([]float64, n*d)
	u := make([]float64, n*d)
	r := rand.New(rand.NewPCG(seed, 0x62706431)) // "bpd1": the dequantisation noise
	for i := range u {
		u[i] = r.Float64()
	}
	sde.Dequantize(x, im.Pixels[first*d:(first+n)*d], u, lo, width)
	s, err := c.NewSDE(0)
	if err != nil {
		return usagef("%s: sde: %v", c.File, err)
	}
	start := time.Now()
	res, err := backend.LogLikelihood(cmdContext, sampling.LikelihoodRequest{
		SDE: s, Dim: d, X: x, Seed: seed, Estimator: est, Probes: l.Probes,
		RTol: l.RTol, ATol: l.ATol, Eps: l.Eps, Score: src,
	})
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("probability-flow likelihood: %w", backendErr(err))
	}
	rep := imageLikelihoodReport{odeRun: newODERun(c, split, n, d, l, est, seed, res.NFE, wall),
		First: first, Dequantized: true, BitsPerDim: make([]float64, n)}
	for i, lp := range res.LogP {
		rep.BitsPerDim[i] = sde.BitsPerDim(lp, d, width)
	}
	rep.MeanBPD, rep.StdErrBPD = meanStdErr(rep.BitsPerDim)
	fmt.Fprintf(stdout, "bits/dim of %s images %d..%d (%dx%dx%d, uniformly dequantised) by the probability-flow ODE (%s, rtol %g, atol %g) on %s\n",
		split, first, first+n-1, im.C, im.H, im.W, est, l.RTol, l.ATol, sampling.DeviceLabel(device))
	fmt.Fprintf(stdout, "bits/dim %.4f +- %.4f (standard error over %d images), NFE %d, wall time %.1f s\n", rep.MeanBPD, rep.StdErrBPD, n, res.NFE, wall.Seconds())
	if out != "" {
		if err := writeJSON(out, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", out)
	}
	return nil
}

// likelihoodImages reads --data and checks it against the model's images.
func likelihoodImages(c *config.Config, spec string) (*data.Images, error) {
	im, err := dataImages(c, spec)
	if err != nil {
		return nil, err
	}
	if im.C != c.Data.NumChannels || im.H != c.Data.ImageSize || im.W != c.Data.ImageSize {
		return nil, usagef("--data %s: images of %dx%dx%d, the model's are %dx%dx%d", spec, im.C, im.H, im.W, c.Data.NumChannels, c.Data.ImageSize, c.Data.ImageSize)
	}
	return im, nil
}

// meanStdErr returns the mean of v and its standard error (sample standard
// deviation over sqrt(n); 0 for one value).
func meanStdErr(v []float64) (mean, se float64) {
	for _, x := range v {
		mean += x / float64(len(v))
	}
	if len(v) < 2 {
		return mean, 0
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss/float64(len(v)-1)) / math.Sqrt(float64(len(v)))
}
