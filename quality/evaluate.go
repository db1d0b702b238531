package quality

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
)

// ImageSets are what EvaluateImages judges: generated samples against a
// data set's test split.
type ImageSets struct {
	// Samples holds (N, C, H, W) float32 values in [0, 1]; Shape is
	// [N, C, H, W].
	Samples []float32
	Shape   []int
	// Test is the reference set (a data set's test split).
	Test *data.Images
	// Train, unless nil, gives the target class frequencies (its labels)
	// and, with Floor, the images of the test-versus-train floor.
	Train *data.Images
	Floor bool
	// Seed picks the training images of the floor and KID's subsets.
	Seed uint64
}

// ImageEvaluation is the report of EvaluateImages.
type ImageEvaluation struct {
	Samples    int       `json:"samples"`
	Test       int       `json:"test_images"`
	FeatureDim int       `json:"feature_dim"`
	FID        float64   `json:"fid"`
	KID        KIDResult `json:"kid"`
	// Classes is the classifier's verdict on the samples, against the
	// training set's class frequencies when Train was given.
	Classes *ClassStats `json:"classes"`
	// TestAccuracy is the classifier's accuracy on the labelled test set
	// (nil for an unlabelled one).
	TestAccuracy *float64 `json:"test_accuracy,omitempty"`
	// Floor: FID and KID of as many training images as samples against the
	// test set, what a perfect generator would score (nil unless asked).
	FloorFID *float64   `json:"floor_fid,omitempty"`
	FloorKID *KIDResult `json:"floor_kid,omitempty"`
}

// Check says what makes the sets unfit for net: samples of another shape
// or outside [0, 1], test or training images of another shape, fewer than
// two samples or test images.
func (s ImageSets) Check(net *model.Classifier) error {
	want := net.ImageShape()
	if len(s.Shape) != 4 || !slices.Equal(s.Shape[1:], want) {
		return fmt.Errorf("samples of shape %v, but the classifier takes (N, %d, %d, %d) images", s.Shape, want[0], want[1], want[2])
	}
	n := s.Shape[0]
	if n < 2 || len(s.Samples) != n*net.Dim() {
		return fmt.Errorf("need at least 2 samples of %v, got %d values for %d", want, len(s.Samples), n)
	}
	for i, v := range s.Samples {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("sample value %d is %g, outside [0, 1] (samples are images in [0, 1])", i, v)
		}
	}
	if err := checkImageShape(net, "test", s.Test); err != nil {
		return err
	}
	if err := checkImageShape(net, "training", s.Train); err != nil {
		return err
	}
	if s.Test == nil || s.Test.N < 2 {
		return fmt.Errorf("need a test set of at least 2 images")
	}
	if k := net.Config().NumClasses; s.Train != nil && s.Train.Labels != nil && len(s.Train.Classes) != k {
		return fmt.Errorf("the data set has %d classes, the classifier %d", len(s.Train.Classes), k)
	}
	if s.Floor && s.Train == nil {
		return fmt.Errorf("the floor needs the training images")
	}
	return nil
}

// checkImageShape says when the images im (nil: none) are not the
// classifier's shape.
func checkImageShape(net *model.Classifier, name string, im *data.Images) error {
	want := net.ImageShape()
	if im != nil && net.IsPoints() {
		return fmt.Errorf("the classifier takes %s, not the %s images", net.Config().Input(), name)
	}
	if im != nil && !slices.Equal([]int{im.C, im.H, im.W}, want) {
		return fmt.Errorf("the %s images are %dx%dx%d, the classifier's %dx%dx%d", name, im.C, im.H, im.W, want[0], want[1], want[2])
	}
	return nil
}

// EvaluateImages computes the features of the samples and of the test set
// with e and compares them: FID, KID, the class histogram and confidence,
// and, when asked, the same against training images.
func EvaluateImages(e *Extractor, s ImageSets) (*ImageEvaluation, error) {
	if err := s.Check(e.Net); err != nil {
		return nil, err
	}
	n := s.Shape[0]
	var target []float64
	if s.Train != nil && s.Train.Labels != nil {
		for _, c := range s.Train.Histogram() {
			target = append(target, float64(c))
		}
	}
	gen, err := e.Extract(s.Samples, n)
	if err != nil {
		return nil, err
	}
	ref, err := e.Extract(Unit(s.Test.Pixels), s.Test.N)
	if err != nil {
		return nil, err
	}
	r := &ImageEvaluation{Samples: n, Test: s.Test.N, FeatureDim: gen.Features.D}
	if r.Classes, err = Classify(gen.Logits, target); err != nil {
		return nil, err
	}
	if s.Test.Labels != nil {
		acc := accuracy(ref.Logits, s.Test.Labels)
		r.TestAccuracy = &acc
	}
	kidOpts := KIDOptions{Seed: s.Seed}
	if r.FID, err = FID(gen.Features, ref.Features); err != nil {
		return nil, err
	}
	if r.KID, err = KID(gen.Features, ref.Features, kidOpts); err != nil {
		return nil, err
	}
	if !s.Floor {
		return r, nil
	}
	floorN := min(n, s.Train.N)
	train, err := e.Extract(Unit(pickImages(s.Train, floorN, s.Seed)), floorN)
	if err != nil {
		return nil, err
	}
	fid, err := FID(train.Features, ref.Features)
	if err != nil {
		return nil, err
	}
	kid, err := KID(train.Features, ref.Features, kidOpts)
	if err != nil {
		return nil, err
	}
	r.FloorFID, r.FloorKID = &fid, &kid
	return r, nil
}

// pickImages returns the pixels of n images of im drawn without
// replacement, seeded.
func pickImages(im *data.Images, n int, seed uint64) []uint8 {
	r := rand.New(rand.NewPCG(seed, 0x666c6f6f72)) // "floor"
	out := make([]uint8, 0, n*im.Dim())
	for _, i := range r.Perm(im.N)[:n] {
		out = append(out, im.Image(i)...)
	}
	return out
}

// accuracy is the fraction of rows whose largest logit is the label's.
func accuracy(logits Matrix, labels []int) float64 {
	right := 0
	for i, l := range labels {
		row := logits.Row(i)
		if l >= 0 && l < len(row) && row[l] == slices.Max(row) {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}
