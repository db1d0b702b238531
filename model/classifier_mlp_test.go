package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/graph"
)

func tinyPointClassifierConfig() ClassifierConfig {
	return ClassifierConfig{NumClasses: 5, Conditional: true, PointDim: 3, Hidden: 12, Layers: 2, EmbedDim: 8}
}

// TestPointClassifierConfig: every invalid point setting is an error
// naming its key; a valid one records the MLP's defaults, so that a saved
// config rebuilds the same network.
func TestPointClassifierConfig(t *testing.T) {
	for _, c := range []struct {
		edit func(*ClassifierConfig)
		key  string
	}{
		{func(c *ClassifierConfig) { c.NumClasses = 1 }, "classifier.num_classes"},
		{func(c *ClassifierConfig) { c.Conditional = false }, "classifier.conditional"},
		{func(c *ClassifierConfig) { c.Hidden = -1 }, "classifier.hidden"},
		{func(c *ClassifierConfig) { c.Layers = -2 }, "classifier.layers"},
		{func(c *ClassifierConfig) { c.EmbedDim = 5 }, "classifier.embedding_dim"},
		{func(c *ClassifierConfig) { c.Act = "relu6" }, "classifier.activation"},
	} {
		cfg := tinyPointClassifierConfig()
		c.edit(&cfg)
		_, err := NewClassifier(cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != c.key {
			t.Errorf("%+v: error %v, want one naming %s", cfg, err, c.key)
		}
	}
	m, err := NewClassifier(ClassifierConfig{NumClasses: 4, Conditional: true, PointDim: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Config(); c.Hidden != 128 || c.Layers != 2 || c.Act != ActSiLU || c.EmbedDim != 128 {
		t.Errorf("defaults not recorded: %+v", c)
	}
	if got := m.Config().String(); !strings.Contains(got, "point classifier") || !strings.Contains(got, "2-D points") {
		t.Errorf("String() = %q", got)
	}
}

// TestPointClassifierShapes: the MLP takes rows [B, D] and t [B], gives
// features [B, Hidden] and logits [B, K], uses every parameter, depends
// on t, and refuses other shapes with an error naming the classifier.
func TestPointClassifierShapes(t *testing.T) {
	m, err := NewClassifier(tinyPointClassifierConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !m.IsPoints() || m.Dim() != 3 || m.FeatureDim() != 12 || len(m.ImageShape()) != 1 {
		t.Fatalf("IsPoints %v, Dim %d, FeatureDim %d, ImageShape %v", m.IsPoints(), m.Dim(), m.FeatureDim(), m.ImageShape())
	}
	for _, p := range m.Params() {
		if !strings.HasPrefix(p.Name, "classifier.") {
			t.Errorf("param %s lacks the classifier. prefix", p.Name)
		}
	}
	g := graph.New()
	x, tt := g.Input("x", 2, 3), g.Input("t", 2)
	f, l := m.FeaturesAndLogits(g, x, tt)
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	if !f.Shape().Equal(graph.Shape{2, 12}) || !l.Shape().Equal(graph.Shape{2, 5}) {
		t.Errorf("features %v, logits %v", f.Shape(), l.Shape())
	}
	if used := len(Trainable(g, m.Params())); used != len(m.Params()) {
		t.Errorf("the forward pass uses %d of %d parameters", used, len(m.Params()))
	}
	// The same point at two times.
	out, err := referenceFor(t, m.Params()).Run(graph.Feeds{x: {0.5, -1, 2, 0.5, -1, 2}, tt: {0.01, 0.9}}, l)
	if err != nil {
		t.Fatal(err)
	}
	diff := 0.0
	for j := range 5 {
		diff = max(diff, math.Abs(out[0][j]-out[0][5+j]))
	}
	if diff < 1e-6 {
		t.Errorf("logits at t 0.01 and 0.9 differ by %g: the time embedding is ignored", diff)
	}
	for name, build := range map[string]func(g *graph.Graph){
		"row length": func(g *graph.Graph) { m.Logits(g, g.Input("x", 3, 2), g.Input("t", 3)) },
		"image":      func(g *graph.Graph) { m.Logits(g, g.Input("x", 3, 3, 1, 1), g.Input("t", 3)) },
		"no t":       func(g *graph.Graph) { m.Logits(g, g.Input("x", 3, 3), nil) },
	} {
		g := graph.New()
		build(g)
		if g.Err() == nil || !strings.Contains(g.Err().Error(), "classifier") {
			t.Errorf("%s: error %v, want one naming the classifier", name, g.Err())
		}
	}
}
