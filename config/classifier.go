package config

import (
	"strings"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
)

// The training objectives, and the model the classifier objective trains.
const (
	ObjectiveScore      = "score"
	ObjectiveClassifier = "classifier"
	ModelClassifier     = "classifier"
)

// IsClassifier reports whether the config trains a classifier
// (training.objective = "classifier") rather than a score network.
func (c *Config) IsClassifier() bool { return c.Training.Objective == ObjectiveClassifier }

// ClassifierConfig is the [model] classifier for the [data] images, with
// classes classes when model.num_classes is not given: the ResNet encoder of
// model.Classifier with score_sde's nf, ch_mult and num_res_blocks keys,
// conditioned on t (and trained on perturbed data) when model.conditional.
func (c *Config) ClassifierConfig(classes int) model.ClassifierConfig {
	m := c.Model
	if m.NumClasses > 0 {
		classes = m.NumClasses
	}
	return model.ClassifierConfig{NF: m.NF, ChMult: append([]int(nil), m.ChMult...), NumResBlocks: m.NumResBlocks,
		NumClasses: classes, ImageSize: c.Data.ImageSize, NumChannels: c.Data.NumChannels,
		Centered: c.Data.Centered, Conditional: m.Conditional}
}

// PointClassifierConfig is the [model] classifier for dim-dimensional
// points of a Gaussian mixture with classes components (its classes, unless
// model.num_classes says more): the MLP of model.Classifier's point form
// with the MLP score network's hidden, layers, embedding_dim and activation
// keys, always noise-conditional.
func (c *Config) PointClassifierConfig(classes, dim int) model.ClassifierConfig {
	m := c.Model
	if m.NumClasses > 0 {
		classes = m.NumClasses
	}
	return model.ClassifierConfig{NumClasses: classes, Conditional: m.Conditional, PointDim: dim,
		Hidden: m.Hidden, Layers: m.Layers, EmbedDim: m.EmbeddingDim, Act: m.Activation}
}

// isMixture reports whether [data] is a Gaussian mixture, whose components
// are the classes a point classifier learns.
func (c *Config) isMixture() bool {
	if c.Data.Kind == "gmm" {
		return true
	}
	ds, err := data.Builtin(c.Data.Kind)
	_, ok := ds.(data.Mixture)
	return err == nil && ok
}

func (c *Config) validateObjective() *Error {
	t, m := c.Training, c.Model
	classifierModel := strings.ToLower(m.Name) == ModelClassifier
	switch {
	case !oneOf(t.Objective, "", ObjectiveScore, ObjectiveClassifier):
		return c.errAt("training.objective", "unknown objective %q (want score | classifier)", t.Objective)
	case c.IsClassifier() && !classifierModel:
		return c.errAt("model.name", `training.objective = "classifier" trains model.name = "classifier", not %q`, m.Name)
	case classifierModel && !c.IsClassifier():
		return c.errAt("training.objective", `model.name = "classifier" is trained with training.objective = "classifier"`)
	case c.IsClassifier() && !c.IsImages() && !c.isMixture():
		return c.errAt("data.kind", `the classifier objective trains on labelled images (data.kind = "images") or a Gaussian mixture (its components are the classes), not %q`, c.Data.Kind)
	case m.NumClasses < 0 || m.NumClasses == 1:
		return c.errAt("model.num_classes", "must be >= 2 (or 0 for the data set's classes), got %d", m.NumClasses)
	}
	if c.IsClassifier() {
		cc := c.ClassifierConfig(2)
		if !c.IsImages() {
			cc = c.PointClassifierConfig(2, 1)
		}
		if err := cc.Check(); err != nil {
			if ce, ok := err.(*model.ConfigError); ok {
				return c.errAt(classifierKey(ce.Key), "%s", ce.Msg)
			}
			return c.errAt("model", "%v", err)
		}
	}
	return nil
}

// classifierKey is the config key of a model.ClassifierConfig field,
// named by its JSON name after "classifier.".
func classifierKey(field string) string {
	field = strings.TrimPrefix(field, "classifier.")
	switch field {
	case "image_size", "num_channels", "centered":
		return "data." + field
	}
	return "model." + field
}
