package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/viewer/plot"
)

// Image runs draw few samples: a sampler's step costs a forward pass of the
// whole U-Net, on a CPU device seconds each.
const (
	snapshotImages     = 36 // a 6x6 grid at each snapshot (fewer when sampling.n_samples is)
	imagesAfterRun     = 64 // an 8x8 grid at the end, unless sampling.n_samples is given
	gridZoom           = 2  // pixels per image pixel in the grids
	snapshotSamplesDir = "samples"
)

// imageGrid samples n images with the EMA weights by the config's sampler
// and writes them as a PNG grid at path, mapped to [0, 1]. It returns the
// samples in [0, 1].
func imageGrid(backend sampling.Backend, c *config.Config, net model.ScoreNet, tr train.Runner, n int, path string) ([]float32, sampling.Request, int, error) {
	shape := plot.ImageShape{C: c.Data.NumChannels, H: c.Data.ImageSize, W: c.Data.ImageSize}
	x, o, nfe, err := emaSample(backend, c, net, tr, shape.Dim(), n)
	if err != nil {
		return nil, o, 0, err
	}
	if bad := countNonFinite(x); bad > 0 {
		return nil, o, 0, fmt.Errorf("%s diverged: %d of %d values are NaN or Inf; %s not written", o.Describe(), bad, len(x), path)
	}
	img := c.ImageRange(x)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, o, 0, err
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	return img, o, nfe, plot.SaveGrid(path, img, n, shape, cols, gridZoom)
}

// snapshotGrid is score_sde's snapshot_sampling: a grid of EMA samples at
// each snapshot, in the run directory's samples/iter_STEP/sample.png.
func snapshotGrid(backend sampling.Backend, c *config.Config, net model.ScoreNet, tr train.Runner, dir string) func() error {
	if !c.IsImages() || !c.Training.SnapshotSampling || c.IsClassifier() {
		return nil
	}
	return func() error {
		path := filepath.Join(dir, snapshotSamplesDir, fmt.Sprintf("iter_%d", tr.Steps()), "sample.png")
		_, _, _, err := imageGrid(backend, c, net, tr, min(snapshotImages, imageSamples(c)), path)
		if cmdContext.Err() != nil {
			return nil // stopped: the loop saves and says so
		}
		if err == nil {
			fmt.Fprintf(cmdStderr, "sdevk: step %d: samples %s\n", tr.Steps(), path)
		}
		return err
	}
}

// imagesAfterTraining draws n images with the EMA weights and writes
// samples.npy ((n, C*H*W) in [0, 1]) and the grid samples.png.
func imagesAfterTraining(backend sampling.Backend, c *config.Config, net model.ScoreNet, tr train.Runner, n int, dir string, stdout io.Writer) error {
	png := filepath.Join(dir, "samples.png")
	img, o, nfe, err := imageGrid(backend, c, net, tr, n, png)
	if err != nil {
		return err
	}
	x := make([]float64, len(img))
	for i, v := range img {
		x[i] = float64(v)
	}
	npy := filepath.Join(dir, "samples.npy")
	if err := data.SaveNPY(npy, x, n, len(x)/n); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sampled %d images by %s, NFE %d: %s (in [0, 1])\ngrid: %s\n", n, o.Describe(), nfe, npy, png)
	return nil
}

// imageSamples is the number of images drawn at the end of an image run:
// sampling.n_samples when given, else a grid's worth.
func imageSamples(c *config.Config) int {
	if c.Given("sampling.n_samples") {
		return c.Sampling.NSamples
	}
	return imagesAfterRun
}
