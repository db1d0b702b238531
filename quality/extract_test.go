package quality

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// tinyClassifier is a 1x8x8 classifier of four classes with random
// weights (every parameter non-zero, so every path matters).
func tinyClassifier(t *testing.T, conditional bool) (*model.Classifier, map[string][]float32) {
	t.Helper()
	net, err := model.NewClassifier(model.ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1,
		NumClasses: 4, ImageSize: 8, NumChannels: 1, Conditional: conditional})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	w := map[string][]float32{}
	for _, p := range net.Params() {
		v := make([]float32, p.Size())
		for i := range v {
			v[i] = float32(0.3 * r.NormFloat64())
			if p.Init.Kind == model.InitOnes {
				v[i]++
			}
		}
		w[p.Name] = v
	}
	return net, w
}

// cornerSet is n labelled 1x8x8 images: a bright square in the corner of
// the label on a dark background, with noise.
func cornerSet(n int, seed uint64) *data.Images {
	r := rand.New(rand.NewPCG(seed, 1))
	im := &data.Images{N: n, C: 1, H: 8, W: 8, Pixels: make([]uint8, n*64), Labels: make([]int, n),
		Classes: []string{"tl", "tr", "bl", "br"}}
	for i := range n {
		c := r.IntN(4)
		im.Labels[i] = c
		oy, ox := 4*(c/2), 4*(c%2)
		for p := range 64 {
			v := 30.0
			if y, x := p/8, p%8; y >= oy && y < oy+4 && x >= ox && x < ox+4 {
				v = 220
			}
			im.Pixels[i*64+p] = uint8(min(255, max(0, v+20*r.NormFloat64())))
		}
	}
	return im
}

// TestExtractDeviceMatchesReference: features and logits computed on the
// device in batches of 3 (the last one partial) match the float64
// reference executor's in one batch.
func TestExtractDeviceMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	net, w := tinyClassifier(t, true)
	const n = 7
	x := Unit(cornerSet(n, 3).Pixels)
	want, err := (&Extractor{Net: net, Weights: w, T: 0.1}).Extract(x, n)
	if err != nil {
		t.Fatal(err)
	}
	onDev := &Extractor{Net: net, Weights: w, T: 0.1, Dev: dev, Batch: 3}
	defer onDev.Close()
	got, err := onDev.Extract(x, n)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]Matrix{"features": {got.Features, want.Features}, "logits": {got.Logits, want.Logits}} {
		g, w := pair[0], pair[1]
		if g.N != n || g.D != w.D || len(g.X) != len(w.X) {
			t.Fatalf("%s: %dx%d, want %dx%d", name, g.N, g.D, w.N, w.D)
		}
		worst := 0.0
		for i := range g.X {
			worst = max(worst, math.Abs(g.X[i]-w.X[i])/(1e-3+math.Abs(w.X[i])))
		}
		if worst > 1e-3 {
			t.Errorf("%s: worst relative difference device vs reference %.2g", name, worst)
		}
		t.Logf("%s: %dx%d, worst relative difference %.2g", name, g.N, g.D, worst)
	}
}

// TestExtractorReusesItsProgram: one extractor run at two times (and
// inputs of two ranges) builds its program once and gives exactly what a
// fresh extractor gives at each time, on the device and on the reference.
func TestExtractorReusesItsProgram(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	net, w := tinyClassifier(t, true)
	const n = 5
	x := Unit(cornerSet(n, 4).Pixels)
	for _, d := range []*vk.Device{dev, nil} {
		reused := &Extractor{Net: net, Weights: w, Dev: d, Batch: 2}
		defer reused.Close()
		var logits [][]float64
		for _, c := range []struct {
			t          float64
			modelRange bool
		}{{0.1, false}, {0.7, true}, {0.1, false}} {
			got, err := reused.extract(x, n, c.t, c.modelRange)
			if err != nil {
				t.Fatal(err)
			}
			fresh := &Extractor{Net: net, Weights: w, Dev: d, Batch: 2, T: c.t, ModelRange: c.modelRange}
			want, err := fresh.Extract(x, n)
			fresh.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Features.X, want.Features.X) || !slices.Equal(got.Logits.X, want.Logits.X) {
				t.Errorf("device %v, t %g: the reused extractor's output differs from a fresh one's", d != nil, c.t)
			}
			logits = append(logits, got.Logits.X)
		}
		if slices.Equal(logits[0], logits[1]) || !slices.Equal(logits[0], logits[2]) {
			t.Errorf("device %v: logits at t 0.1, 0.7, 0.1 do not follow the time", d != nil)
		}
		if reused.compiles != 1 {
			t.Errorf("device %v: %d programs built for three runs of one batch size, want 1", d != nil, reused.compiles)
		}
	}
}

// TestClassifierCheckpoint: a saved classifier loads with the same
// configuration and weights; a checkpoint without the classifier
// metadata, or with weights of another shape, is a one-line error.
func TestClassifierCheckpoint(t *testing.T) {
	net, w := tinyClassifier(t, true)
	dir := t.TempDir()
	path := filepath.Join(dir, "clf.safetensors")
	if err := SaveClassifier(path, net, w, map[string]string{"step": "5"}); err != nil {
		t.Fatal(err)
	}
	got, gw, err := LoadClassifier(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Config().ChMult, net.Config().ChMult) || got.Config().String() != net.Config().String() {
		t.Errorf("loaded %v, saved %v", got.Config(), net.Config())
	}
	for name, v := range w {
		if !slices.Equal(gw[name], v) {
			t.Errorf("weights of %s differ after loading", name)
		}
	}
	plain := filepath.Join(dir, "plain.safetensors")
	ck := checkpoint.New()
	ck.Tensors["params/x"] = checkpoint.Tensor{Shape: []int{1}, Data: []float32{1}}
	if err := checkpoint.Save(plain, ck); err != nil {
		t.Fatal(err)
	}
	other, _ := model.NewClassifier(model.ClassifierConfig{NF: 8, ChMult: []int{1}, NumResBlocks: 1, NumClasses: 4, ImageSize: 8, NumChannels: 1})
	ck, err = checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ck.Meta[MetaKey] = ClassifierMeta(other.Config()) // weights of another network
	wrong := filepath.Join(dir, "wrong.safetensors")
	if err := checkpoint.Save(wrong, ck); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{plain, wrong, filepath.Join(dir, "missing")} {
		_, _, err := LoadClassifier(p)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line", p, err)
		} else {
			t.Logf("%v", err)
		}
	}
}

// TestEvaluateImages: samples that are the test images themselves score
// FID 0, uniform grey samples score far worse, and the floor and class
// histogram are reported; bad samples are errors.
func TestEvaluateImages(t *testing.T) {
	net, w := tinyClassifier(t, false)
	ex := &Extractor{Net: net, Weights: w}
	test, train := cornerSet(40, 5), cornerSet(60, 6)
	same := ImageSets{Samples: Unit(test.Pixels), Shape: []int{40, 1, 8, 8}, Test: test, Train: train, Floor: true}
	r, err := EvaluateImages(ex, same)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.FID) > 1e-6 || r.FloorFID == nil || !(*r.FloorFID > 0) {
		t.Errorf("test images as samples: FID %g, floor %v; want 0 and > 0", r.FID, r.FloorFID)
	}
	if r.Classes == nil || len(r.Classes.Target) != 4 || r.TestAccuracy == nil {
		t.Fatalf("classes %+v, test accuracy %v", r.Classes, r.TestAccuracy)
	}
	grey := make([]float32, 40*64)
	for i := range grey {
		grey[i] = 0.5 + 0.01*float32(i%7)
	}
	g, err := EvaluateImages(ex, ImageSets{Samples: grey, Shape: []int{40, 1, 8, 8}, Test: test, Train: train})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FID of the test images %.3g, of grey images %.3g, floor %.3g; KID %.3g, %.3g, floor %.3g",
		r.FID, g.FID, *r.FloorFID, r.KID.Mean, g.KID.Mean, r.FloorKID.Mean)
	if !(g.FID > 10**r.FloorFID) || !(g.KID.Mean > r.KID.Mean) {
		t.Errorf("grey samples: FID %g, KID %g; want far above the floor %g and the test images' KID %g", g.FID, g.KID.Mean, *r.FloorFID, r.KID.Mean)
	}
	for name, bad := range map[string]ImageSets{
		"shape":       {Samples: grey[:40*49], Shape: []int{40, 1, 7, 7}, Test: test},
		"rank":        {Samples: grey, Shape: []int{40, 64}, Test: test},
		"range":       {Samples: append([]float32{1.5}, grey[1:]...), Shape: []int{40, 1, 8, 8}, Test: test},
		"test images": {Samples: grey, Shape: []int{40, 1, 8, 8}, Test: &data.Images{N: 2, C: 3, H: 8, W: 8, Pixels: make([]uint8, 384)}},
	} {
		if _, err := EvaluateImages(ex, bad); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// TestAccuracyVsTime: one accuracy in [0, 1] per time, the same for the
// same seed; unlabelled images, another class count and a time outside
// [0, T] are errors.
func TestAccuracyVsTime(t *testing.T) {
	net, w := tinyClassifier(t, true)
	ex := &Extractor{Net: net, Weights: w}
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	im := cornerSet(16, 7)
	times := []float64{1e-3, 0.5, 1}
	a, err := AccuracyVsTime(ex, vp, im, times, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := AccuracyVsTime(ex, vp, im, times, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(times) || !slices.Equal(a, b) {
		t.Fatalf("accuracies %v then %v for times %v", a, b, times)
	}
	for _, r := range a {
		if !(r.Accuracy >= 0 && r.Accuracy <= 1) {
			t.Errorf("accuracy %g at t %g", r.Accuracy, r.T)
		}
	}
	unlabelled := *im
	unlabelled.Labels = nil
	three := *im
	three.Classes = three.Classes[:3]
	for name, c := range map[string]struct {
		im    *data.Images
		times []float64
	}{"unlabelled": {&unlabelled, times}, "classes": {&three, times}, "time": {im, []float64{1.5}}} {
		if _, err := AccuracyVsTime(ex, vp, c.im, c.times, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
