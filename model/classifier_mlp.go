package model

import "github.com/sdevk/sdevk/sde"

// The point classifier: the MLP score network's layers (MLP.BuildHidden)
// with an output layer of one logit per class, the classifier's features
// being the last hidden layer. It is always noise-conditional: its only
// use is guidance, which needs p_t(y | x_t) at every time of the sampler.

// pointClassifierClock is the SDE the point classifier's MLP is built
// with; only its step count matters: the MLP's sinusoidal time embedding
// reads (N - 1) t, so with N = 1000 it sees the sinusoids of 999 t, as the
// image classifier does, whatever SDE perturbed the data.
var pointClassifierClock = func() sde.SDE {
	s, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		panic(err) // constant, valid arguments
	}
	return s
}()

// newPointClassifier declares the MLP of a checked point config.
func newPointClassifier(c ClassifierConfig) (*Classifier, error) {
	net, err := NewMLP(pointClassifierClock, MLPConfig{Dim: c.PointDim, Out: c.NumClasses,
		Hidden: c.Hidden, Layers: c.Layers, Act: c.Act, Embed: EmbedSinusoidal, EmbedDim: c.EmbedDim,
		Param: ParamDirect, Prefix: classifierPrefix})
	if err != nil {
		return nil, err
	}
	// Record the MLP's defaults, so that a saved config rebuilds this net.
	mc := net.Config()
	c.Hidden, c.Layers, c.Act, c.EmbedDim = mc.Hidden, mc.Layers, mc.Act, mc.EmbedDim
	return &Classifier{cfg: c, mlp: net, specs: net.Params()}, nil
}

// checkPoints checks a point config; bad makes the error of a key.
func (c ClassifierConfig) checkPoints(bad func(key, format string, a ...any) error) error {
	switch {
	case c.NumClasses < 2:
		return bad("num_classes", "must be >= 2, got %d", c.NumClasses)
	case !c.Conditional:
		return bad("conditional", "a point classifier is noise-conditional (guidance needs p_t(y | x_t)); set it to true")
	case c.Hidden < 0:
		return bad("hidden", "must be >= 1 (0: the MLP's default), got %d", c.Hidden)
	case c.Layers < 0:
		return bad("layers", "must be >= 1 (0: the MLP's default), got %d", c.Layers)
	case c.EmbedDim != 0 && (c.EmbedDim < 4 || c.EmbedDim%2 != 0):
		return bad("embedding_dim", "must be even and >= 4 (the sinusoids of t), got %d", c.EmbedDim)
	}
	switch c.Act {
	case "", ActSiLU, ActSoftplus, ActELU, ActTanh:
		return nil
	}
	return bad("activation", "%q unknown (want %s, %s, %s or %s)", c.Act, ActSiLU, ActSoftplus, ActELU, ActTanh)
}

// IsPoints reports whether m classifies points (an MLP) rather than
// images.
func (m *Classifier) IsPoints() bool { return m.mlp != nil }
