package sampling

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// tinyClassifierConfig is a noise-conditional classifier of tinyUNet's
// 3x8x8 images in [-1, 1], with three classes.
func tinyClassifierConfig() model.ClassifierConfig {
	return model.ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 3,
		ImageSize: 8, NumChannels: 3, Centered: true, Conditional: true}
}

// tinyClassifier is a classifier of c with random weights.
func tinyClassifier(t *testing.T, c model.ClassifierConfig) Classifier {
	t.Helper()
	net, err := model.NewClassifier(c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	w := map[string][]float32{}
	for _, p := range net.Params() {
		v := make([]float32, p.Size())
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.3)
		}
		w[p.Name] = v
	}
	return Classifier{Name: "tiny-classifier", Net: net, Weights: w}
}

// logProb is log p_t(k | x) of one image under c, by the float64 reference.
func logProb(t *testing.T, c Classifier, x []float64, tm float64, k int) float64 {
	t.Helper()
	g := graph.New()
	xn, tn := g.Input("x", 1, len(x)), g.Input("t", 1)
	logp := sde.LogSoftmax(c.Net.Logits(g, xn, tn))
	ref := graph.NewReference()
	for name, v := range c.Weights {
		ref.Params[name] = float64s(v)
	}
	res, err := ref.Run(graph.Feeds{xn: x, tn: {tm}}, logp)
	if err != nil {
		t.Fatal(err)
	}
	return res[0][k]
}

func float64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

// TestClassifierGuidedScore: the guided U-Net score on the device, in
// batches of 3 for 5 images, equals the float64 reference executor's; the
// reference's guided score is the unguided score plus scale times the
// gradient of log p_t(k | x), checked against central differences.
func TestClassifierGuidedScore(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, m := tinyUNet(t)
	cls := tinyClassifier(t, tinyClassifierConfig())
	im, _ := ImagesOf(c)
	const k, scale, n, tm = 2, 1.5, 5, 0.4
	guided, err := m.WithClassifier(cls, &im, k, scale)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSDE(0)
	d := im.Dim()
	r := rand.New(rand.NewPCG(5, 6))
	x, ts := make([]float32, n*d), make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range ts {
		ts[i] = tm
	}
	got, err := ScoreEval{Dev: dev, Batch: 3}.Eval(guided, s, x, ts)
	if err != nil {
		t.Fatal(err)
	}
	want, plain := make([]float64, n*d), make([]float64, n*d)
	guided.TimeScore(s)(float64s(x), tm, want)
	m.TimeScore(s)(float64s(x), tm, plain)
	vktest.Close(t, "guided score", got, want, 1e-3, 1e-3)

	const h = 1e-5
	for i := range n {
		xi := float64s(x[i*d : (i+1)*d])
		for _, j := range []int{0, 17, 100, d - 1} {
			saved := xi[j]
			xi[j] = saved + h
			up := logProb(t, cls, xi, tm, k)
			xi[j] = saved - h
			down := logProb(t, cls, xi, tm, k)
			xi[j] = saved
			fd := (up - down) / (2 * h)
			if g := (want[i*d+j] - plain[i*d+j]) / scale; math.Abs(g-fd) > 1e-5*(1+math.Abs(fd)) {
				t.Fatalf("image %d, value %d: guidance %g, finite difference of log p_t(%d | x) %g", i, j, g, k, fd)
			}
		}
	}
}

// TestClassifierGuidedSamplers: classifier-guided PC, EM, ODE and a
// few-step sampler on the device follow the float64 reference with the
// same draws (runs of 2 and 3 steps, for 3 images); at scale 0 the
// device's samples are exactly the unguided ones.
func TestClassifierGuidedSamplers(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	c, m := tinyUNet(t)
	cls := tinyClassifier(t, tinyClassifierConfig())
	im, _ := ImagesOf(c)
	guided, err := m.WithClassifier(cls, &im, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m     Method
		steps int
	}{{PC, 2}, {PC, 3}, {EM, 3}, {ODE, 3}, {Method("ddim"), 2}} {
		c, _ := tinyUNet(t)
		c.SDE.BetaMax = 1 // few steps of the discrete VP need beta_max < N
		c.Sampling.NSteps, c.Sampling.FastSteps, c.Sampling.ODESolver = tc.steps, tc.steps, "euler"
		req, err := NewRequest(c, tc.m, 3, im.Dim(), 11, guided)
		if err != nil {
			t.Fatalf("%s: %v", tc.m, err)
		}
		want, got := sampleBoth(t, dev, req)
		vktest.Close(t, "guided "+req.Describe(), float32s(got), want, 1e-3, 1e-3)
	}

	zero, err := m.WithClassifier(cls, &im, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.SDE.BetaMax, c.Sampling.NSteps = 1, 4
	var runs [][]float64
	for _, sm := range []ScoreModel{m, zero} {
		req, err := NewRequest(c, PC, 3, im.Dim(), 11, sm)
		if err != nil {
			t.Fatal(err)
		}
		x, _, err := (&Device{Dev: dev}).Sample(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, x)
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Error("scale 0: the guided samples differ from the unguided ones")
	}
}

// TestWithClassifierErrors: a classifier that does not fit the model, or a
// class it does not have, is refused with a message naming the problem.
func TestWithClassifierErrors(t *testing.T) {
	c, m := tinyUNet(t)
	im, _ := ImagesOf(c)
	cfg := func(f func(*model.ClassifierConfig)) model.ClassifierConfig {
		cc := tinyClassifierConfig()
		f(&cc)
		return cc
	}
	for _, tc := range []struct {
		cfg  model.ClassifierConfig
		im   *Images
		k    int
		want string
	}{
		{tinyClassifierConfig(), &im, 3, "class 3 is out of range: tiny-classifier has 3 classes (0..2)"},
		{tinyClassifierConfig(), &im, -1, "class -1 is out of range"},
		{cfg(func(c *model.ClassifierConfig) { c.Conditional = false }), &im, 0, "not noise-conditional"},
		{cfg(func(c *model.ClassifierConfig) { c.NumChannels = 1 }), &im, 0, "classifies 1x8x8 images, the model samples 3x8x8"},
		{cfg(func(c *model.ClassifierConfig) { c.ImageSize = 4 }), &im, 0, "classifies 3x4x4 images"},
		{cfg(func(c *model.ClassifierConfig) { c.Centered = false }), &im, 0, "takes images in [0, 1], the model's are in [-1, 1]"},
		{tinyClassifierConfig(), nil, 0, "classifies 3x8x8 images, the model samples 192-D points"},
	} {
		pts := m
		if tc.im == nil {
			pts.Dim = 192 // points of the images' size are still not images
		}
		_, err := pts.WithClassifier(tinyClassifier(t, tc.cfg), tc.im, tc.k, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v class %d: error %v, want %q", tc.cfg, tc.k, err, tc.want)
		}
	}
	if _, err := OracleModel(imageGMM(t)).WithClassifier(tinyClassifier(t, tinyClassifierConfig()), nil, 0, 1); err == nil {
		t.Error("an image classifier accepted for the points of an oracle score")
	}
}
