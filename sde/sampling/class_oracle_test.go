package sampling

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk"
)

// pointClassifierConfig is a small noise-conditional MLP classifier of
// 2-D points with the eight classes of 8 Gaussians.
func pointClassifierConfig() model.ClassifierConfig {
	return model.ClassifierConfig{NumClasses: 8, Conditional: true, PointDim: 2, Hidden: 16, Layers: 2, EmbedDim: 8}
}

// TestOracleClassifierGuidedScore: the oracle score guided by a trained
// point classifier is the oracle's plus scale times the gradient of
// log p_t(k | x), checked against central differences.
func TestOracleClassifierGuidedScore(t *testing.T) {
	cls := tinyClassifier(t, pointClassifierConfig())
	m := OracleModel(data.EightGaussians())
	const k, scale, tm = 5, 1.5, 0.3
	guided, err := m.WithClassifier(cls, nil, k, scale)
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse("class.toml", []byte(classConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSDE(0)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, -1.2, 2.5, 0.4, -0.7, -2.1}
	want, plain := make([]float64, len(x)), make([]float64, len(x))
	guided.TimeScore(s)(x, tm, want)
	m.TimeScore(s)(x, tm, plain)
	const h = 1e-5
	for i := range len(x) / 2 {
		xi := append([]float64(nil), x[2*i:2*i+2]...)
		for j := range 2 {
			saved := xi[j]
			xi[j] = saved + h
			up := logProb(t, cls, xi, tm, k)
			xi[j] = saved - h
			down := logProb(t, cls, xi, tm, k)
			xi[j] = saved
			fd := (up - down) / (2 * h)
			if g := (want[2*i+j] - plain[2*i+j]) / scale; math.Abs(g-fd) > 1e-5*(1+math.Abs(fd)) {
				t.Errorf("point %d, coordinate %d: guidance %g, finite difference of log p_t(%d | x) %g", i, j, g, k, fd)
			}
		}
	}
}

// TestOracleClassifierBackendsAgree: PC, EM and ODE with the oracle score
// guided by a point classifier on the device (the oracle kernel, then the
// guidance program reading its output) follow the float64 reference with
// the same Philox draws; the Langevin samplers are refused on both.
func TestOracleClassifierBackendsAgree(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	guided, err := OracleModel(data.EightGaussians()).WithClassifier(tinyClassifier(t, pointClassifierConfig()), nil, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m   Method
		set []string
	}{
		{PC, []string{"sde.beta_max=10", "sampling.n_steps=12", "sampling.corrector=none"}},
		{EM, []string{"sde.beta_max=10", "sampling.n_steps=12", "sampling.corrector=none"}},
		{ODE, []string{"sampling.ode_solver=euler", "sde.beta_max=10", "sampling.n_steps=12"}},
	} {
		c, err := config.Parse("class.toml", []byte(classConfig), tc.set)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewRequest(c, tc.m, 29, 2, 17, guided)
		if err != nil {
			t.Fatal(err)
		}
		want, got := sampleBoth(t, dev, r)
		vktest.Close(t, "oracle guided "+r.Describe(), float32s(got), want, 2e-3, 2e-3)
	}
	c, err := config.Parse("class.toml", []byte(classConfig), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRequest(c, ALD, 4, 2, 17, guided)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Backend{Reference{}, &Device{Dev: dev}} {
		if _, _, err := b.Sample(context.Background(), r); err == nil || !strings.Contains(err.Error(), "not ald") {
			t.Errorf("%T: ald with a trained classifier: error %v, want one naming pc, em, ode", b, err)
		}
	}
}

// TestPointClassifierFits: a point classifier guides points of its
// dimension towards its classes only.
func TestPointClassifierFits(t *testing.T) {
	cfg := pointClassifierConfig()
	cfg.PointDim = 3
	three := tinyClassifier(t, cfg)
	two := tinyClassifier(t, pointClassifierConfig())
	c, img := tinyUNet(t)
	im, _ := ImagesOf(c)
	oracle := OracleModel(data.EightGaussians())
	for _, tc := range []struct {
		m    ScoreModel
		cls  Classifier
		im   *Images
		k    int
		want string
	}{
		{oracle, three, nil, 0, "tiny-classifier classifies 3-D points, the model samples 2-D points"},
		{oracle, two, nil, 8, "class 8 is out of range: tiny-classifier has 8 classes (0..7)"},
		{img, two, &im, 0, "tiny-classifier classifies 2-D points, the model samples 3x8x8 images"},
		{ScoreModel{Name: "points"}, two, nil, 0, "guides a network score or a Gaussian mixture's"},
	} {
		if _, err := tc.m.WithClassifier(tc.cls, tc.im, tc.k, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with %s, class %d: error %v, want %q", tc.m.Name, tc.cls.Net.Config(), tc.k, err, tc.want)
		}
	}
	net := img
	net.Dim = 2
	if _, err := net.WithClassifier(two, nil, 7, 1); err != nil {
		t.Errorf("a 2-D network with a 2-D point classifier: %v", err)
	}
}
