package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/graph"
)

func tinyClassifierConfig(conditional bool) ClassifierConfig {
	return ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 4, ImageSize: 8,
		NumChannels: 1, Conditional: conditional}
}

// TestClassifierConfigErrors: every invalid setting is an error naming its
// key.
func TestClassifierConfigErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(*ClassifierConfig)
		key  string
	}{
		{func(c *ClassifierConfig) { c.NF = 3 }, "classifier.nf"},
		{func(c *ClassifierConfig) { c.NF, c.ChMult = 10, []int{1, 3} }, "classifier.nf"}, // 30 channels in 7 groups
		{func(c *ClassifierConfig) { c.ChMult = nil }, "classifier.ch_mult"},
		{func(c *ClassifierConfig) { c.ChMult = []int{1, 0} }, "classifier.ch_mult"},
		{func(c *ClassifierConfig) { c.NumResBlocks = 0 }, "classifier.num_res_blocks"},
		{func(c *ClassifierConfig) { c.NumClasses = 1 }, "classifier.num_classes"},
		{func(c *ClassifierConfig) { c.NumChannels = 0 }, "classifier.num_channels"},
		{func(c *ClassifierConfig) { c.ImageSize = 7 }, "classifier.image_size"},
	} {
		cfg := tinyClassifierConfig(false)
		c.edit(&cfg)
		_, err := NewClassifier(cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != c.key {
			t.Errorf("%+v: error %v, want one naming %s", cfg, err, c.key)
		}
	}
	if _, err := NewClassifier(DefaultClassifierConfig()); err != nil {
		t.Errorf("default config: %v", err)
	}
}

// TestClassifierParams: names are unique and prefixed, every one is used
// by the forward pass, and only a conditional classifier has time
// parameters.
func TestClassifierParams(t *testing.T) {
	for _, cond := range []bool{false, true} {
		m, err := NewClassifier(tinyClassifierConfig(cond))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := InitParams(m.Params(), 1); err != nil {
			t.Fatal(err)
		}
		timeParams := 0
		for _, p := range m.Params() {
			if !strings.HasPrefix(p.Name, "classifier.") {
				t.Errorf("param %s lacks the classifier. prefix", p.Name)
			}
			if strings.Contains(p.Name, "embed.") || strings.Contains(p.Name, "Dense_0") {
				timeParams++
			}
		}
		if (timeParams > 0) != cond {
			t.Errorf("conditional %v: %d time parameters", cond, timeParams)
		}
		g := graph.New()
		x, tt := g.Input("x", 2, 1, 8, 8), g.Input("t", 2)
		m.Logits(g, x, tt)
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		if used := len(Trainable(g, m.Params())); used != len(m.Params()) {
			t.Errorf("conditional %v: the forward pass uses %d of %d parameters", cond, used, len(m.Params()))
		}
		t.Logf("%v: %d parameters", m.Config(), m.NumParams())
	}
}

// TestClassifierShapes: logits and features have the documented shapes for
// images and for rows; bad inputs poison the graph with a clear error.
func TestClassifierShapes(t *testing.T) {
	m, err := NewClassifier(tinyClassifierConfig(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, xs := range [][]int{{3, 1, 8, 8}, {3, 64}} {
		g := graph.New()
		x, tt := g.Input("x", xs...), g.Input("t", 3)
		f, l := m.FeaturesAndLogits(g, x, tt)
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		if !f.Shape().Equal(graph.Shape{3, m.FeatureDim()}) || !l.Shape().Equal(graph.Shape{3, 4}) {
			t.Errorf("x %v: features %v, logits %v", xs, f.Shape(), l.Shape())
		}
	}
	for name, build := range map[string]func(g *graph.Graph){
		"image size": func(g *graph.Graph) { m.Logits(g, g.Input("x", 3, 1, 4, 4), g.Input("t", 3)) },
		"row length": func(g *graph.Graph) { m.Logits(g, g.Input("x", 3, 63), g.Input("t", 3)) },
		"no t":       func(g *graph.Graph) { m.Logits(g, g.Input("x", 3, 64), nil) },
		"t shape":    func(g *graph.Graph) { m.Features(g, g.Input("x", 3, 64), g.Input("t", 2)) },
	} {
		g := graph.New()
		build(g)
		if g.Err() == nil || !strings.Contains(g.Err().Error(), "classifier") {
			t.Errorf("%s: error %v, want one naming the classifier", name, g.Err())
		}
	}
}

// TestClassifierTimeDependence: a conditional classifier's logits change
// with t; an unconditional one's do not.
func TestClassifierTimeDependence(t *testing.T) {
	for _, cond := range []bool{false, true} {
		m, err := NewClassifier(tinyClassifierConfig(cond))
		if err != nil {
			t.Fatal(err)
		}
		g := graph.New()
		x, tt := g.Input("x", 2, 64), g.Input("t", 2)
		l := m.Logits(g, x, tt)
		ref := referenceFor(t, m.Params())
		xv := make([]float64, 128)
		for i := range xv {
			xv[i] = math.Sin(float64(i))
		}
		// The same image at two times.
		copy(xv[64:], xv[:64])
		out, err := ref.Run(graph.Feeds{x: xv, tt: []float64{0.01, 0.9}}, l)
		if err != nil {
			t.Fatal(err)
		}
		diff := 0.0
		for j := range 4 {
			diff = max(diff, math.Abs(out[0][j]-out[0][4+j]))
		}
		if (diff > 1e-9) != cond {
			t.Errorf("conditional %v: logits at t 0.01 and 0.9 differ by %g", cond, diff)
		}
	}
}

// referenceFor is a reference executor holding specs' initial values
// with every zero-initialised parameter made non-zero.
func referenceFor(t *testing.T, specs []ParamSpec) *graph.Reference {
	t.Helper()
	st, err := InitParams(specs, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range specs {
		if p.Init.Kind == InitZeros {
			for i := range st[p.Name] {
				st[p.Name][i] = 0.2 * math.Cos(float64(3*i+1))
			}
		}
	}
	ref := graph.NewReference()
	ref.Params = st
	return ref
}
