package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/quality"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/vk"
)

// imageEvalFlags are eval's flags for image samples.
type imageEvalFlags struct {
	classifier string
	data       string
	floor      bool
	batch      int
	device     string
}

func (f *imageEvalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.classifier, "classifier", "", "classifier run directory or checkpoint whose features judge image samples")
	fs.StringVar(&f.data, "data", "", "image data set to judge against: "+strings.Join(data.ImageSetNames, ", ")+", or a path (default the config's)")
	fs.BoolVar(&f.floor, "floor", false, "also measure training images against the test set (the FID and KID floor)")
	fs.IntVar(&f.batch, "batch", 256, "images per device run of the classifier")
	fs.StringVar(&f.device, "device", "", "Vulkan device index or name part (default the best), or "+sampling.ReferenceDevice+" for the pure-Go float64 reference")
}

// onlyWithClassifier refuses the image flags in an evaluation of points.
func (f *imageEvalFlags) onlyWithClassifier(given map[string]bool) error {
	for _, name := range []string{"data", "floor", "batch", "device"} {
		if given[name] {
			return usagef("--%s: only used with --classifier (the evaluation of image samples)", name)
		}
	}
	return nil
}

// imageEvalReport is the JSON written by `sdevk eval --classifier --out`.
type imageEvalReport struct {
	Config     string `json:"config,omitempty"`
	Samples    string `json:"samples"`
	Classifier string `json:"classifier"`
	Data       string `json:"data"`
	*quality.ImageEvaluation
}

func runImageEval(f imageEvalFlags, cfgPath string, sets []string, samples, out string, seed uint64, seedGiven bool, stdout io.Writer) error {
	if f.batch < 1 {
		return usagef("--batch: must be >= 1, got %d", f.batch)
	}
	if err := checkOutPath("--out", out); err != nil {
		return err
	}
	setName, dir := f.data, ""
	cfgFile := ""
	if cfgPath != "" {
		c, err := loadConfig(cfgPath, sets)
		if err != nil {
			return err
		}
		cfgFile = c.File
		if !seedGiven {
			seed = c.Seed
		}
		if setName == "" {
			// A named set (read from data.path when given), else the
			// images at data.path.
			setName, dir = c.ImageSetName(), c.Data.Path
			if setName == "" && c.IsImages() {
				setName, dir = c.Data.Path, ""
			}
		}
	}
	if setName == "" {
		return usagef("--classifier: no image data set to judge against: give --data (%s, or a path) or a --config whose data is one", strings.Join(data.ImageSetNames, ", "))
	}
	net, weights, err := quality.LoadClassifier(f.classifier)
	if err != nil {
		return usagef("--classifier: %v", err)
	}
	if samples == "" {
		return usagef("--samples: a .npy file of images is required")
	}
	shape, x, err := data.LoadNPYArray(samples)
	if err != nil {
		return usagef("--samples %v", err)
	}
	test, err := loadImageSplit(setName, dir, "test")
	if err != nil {
		return err
	}
	train, err := loadImageSplit(setName, dir, "train")
	if err != nil {
		return err
	}
	in := quality.ImageSets{Samples: x, Shape: shape, Test: test, Train: train, Floor: f.floor, Seed: seed}
	if err := in.Check(net); err != nil {
		return usagef("--samples %s against --classifier %s and %s: %v", samples, f.classifier, setName, err)
	}
	ex := &quality.Extractor{Net: net, Weights: weights, Batch: f.batch}
	if f.device != sampling.ReferenceDevice {
		dev, err := vk.Open(vk.Options{Device: f.device})
		if errors.Is(err, vk.ErrNoSuchDevice) {
			return usagef("--device: %v", err)
		} else if err != nil {
			return err
		}
		defer dev.Close()
		ex.Dev = dev
	}
	defer ex.Close() // before the device closes
	r, err := quality.EvaluateImages(ex, in)
	if err != nil {
		return err
	}
	printImageEval(stdout, r, samples, f.classifier, setName, shape)
	if out != "" {
		rep := imageEvalReport{Config: cfgFile, Samples: samples, Classifier: f.classifier, Data: setName, ImageEvaluation: r}
		if err := writeJSON(out, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", out)
	}
	return nil
}

// loadImageSplit reads split of a named image set, or of the image set at a
// path; a set that is missing or unreadable is bad input.
func loadImageSplit(name, dir, split string) (*data.Images, error) {
	var im *data.Images
	var err error
	if slices.Contains(data.ImageSetNames, name) {
		im, err = data.LoadImageSet(name, split, dir)
	} else {
		im, err = data.LoadImagePath(data.ImageSource{Path: name, Split: split})
	}
	if err != nil {
		return nil, usagef("--data: %v", err)
	}
	return im, nil
}

// printImageEval prints the report in a few lines.
func printImageEval(w io.Writer, r *quality.ImageEvaluation, samples, classifier, set string, shape []int) {
	acc := ""
	if r.TestAccuracy != nil {
		acc = fmt.Sprintf(", test accuracy %.2f%%", 100**r.TestAccuracy)
	}
	fmt.Fprintf(w, "%d samples %v from %s against %d test images of %s, in the %d-D features of %s%s\n",
		r.Samples, shape[1:], samples, r.Test, set, r.FeatureDim, classifier, acc)
	floor := func(v *float64) string {
		if v == nil {
			return ""
		}
		return fmt.Sprintf(" (floor, training vs test: %.4g)", *v)
	}
	fmt.Fprintf(w, "FID %.4g%s\n", r.FID, floor(r.FloorFID))
	kidFloor := ""
	if r.FloorKID != nil {
		kidFloor = fmt.Sprintf(" (floor %.3g +- %.2g)", r.FloorKID.Mean, r.FloorKID.Std)
	}
	fmt.Fprintf(w, "KID %.3g +- %.2g (%d subsets of %d)%s\n", r.KID.Mean, r.KID.Std, r.KID.Subsets, r.KID.SubsetSize, kidFloor)
	c := r.Classes
	fmt.Fprintf(w, "classes of the samples %s\n", fmtPercents(c.Fractions))
	if c.Target != nil {
		fmt.Fprintf(w, "training set           %s\nmax deviation %.2f percentage points\n", fmtPercents(c.Target), c.MaxDeviationPP)
	}
	fmt.Fprintf(w, "mean confidence %.4f\n", c.MeanConfidence)
}

// fmtPercents prints fractions as "0:9.8% 1:11.2% ...".
func fmtPercents(f []float64) string {
	s := make([]string, len(f))
	for i, v := range f {
		s[i] = fmt.Sprintf("%d:%.1f%%", i, 100*v)
	}
	return strings.Join(s, " ")
}
