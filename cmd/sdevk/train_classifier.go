package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/quality"
	"github.com/sdevk/sdevk/sde/train"
)

// accuracyImages caps the test images a trained classifier is measured on
// (per time), so the report takes seconds on a GPU and minutes on lavapipe.
const accuracyImages = 2000

// accuracyTimes are the times a noise-conditional classifier is measured
// at: clean images, then ever noisier ones, to chance at t = 1.
var accuracyTimes = []float64{0, 0.1, 0.25, 0.5, 0.75, 1}

// accuracyPoints is the number of mixture points a trained point
// classifier is measured on (per time), drawn from accuracyStream.
const (
	accuracyPoints = 4000
	accuracyStream = 0x61636375 // "accu": not a training batch's stream
)

// classifierAfterTraining measures the trained classifier (EMA weights) on
// the test split, or a point classifier on fresh points of the mixture ds,
// against t when it is noise-conditional, prints the table and writes it to
// accuracy.json in the run directory.
func classifierAfterTraining(tr train.Runner, c *config.Config, cl *train.Classifier, ds data.Dataset, dir string, stdout io.Writer) error {
	trainer, ok := tr.(*train.Trainer)
	if !ok {
		return fmt.Errorf("train: the classifier's accuracy is measured on a Vulkan device")
	}
	weights, err := tr.EMAParams()
	if err != nil {
		return err
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return err
	}
	times := accuracyTimes
	if !cl.Net.Config().Conditional {
		times = times[:1]
	}
	e := &quality.Extractor{Net: cl.Net, Weights: weights, Dev: trainer.Exec.Lib.Dev}
	defer e.Close()
	var acc []quality.TimeAccuracy
	what, n := "images", 0
	if mix, ok := ds.(data.Mixture); ok && cl.Net.IsPoints() {
		x, labels := mix.GMM().SampleLabels(accuracyPoints, rand.New(rand.NewPCG(c.Seed, accuracyStream)))
		what, n = "points", len(labels)
		acc, err = quality.PointAccuracyVsTime(e, s, x, labels, times, c.Seed)
	} else {
		var test *data.Images
		if test, err = c.Images("test"); err != nil {
			return usagef("%v", err)
		}
		test = firstImages(test, accuracyImages)
		n = test.N
		acc, err = quality.AccuracyVsTime(e, s, test, times, c.Seed)
	}
	if err != nil {
		return err
	}
	for _, a := range acc {
		fmt.Fprintf(stdout, "test accuracy at t = %-4g %.4f (%d %s)\n", a.T, a.Accuracy, n, what)
	}
	path := filepath.Join(dir, "accuracy.json")
	if err := writeJSON(path, map[string]any{what: n, "accuracy": acc}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

// firstImages is a view of im's first n images (all of them when it has
// fewer).
func firstImages(im *data.Images, n int) *data.Images {
	if im.N <= n {
		return im
	}
	out := *im
	out.N, out.Pixels = n, im.Pixels[:n*im.Dim()]
	if im.Labels != nil {
		out.Labels = im.Labels[:n]
	}
	return &out
}
