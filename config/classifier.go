package config

import (
	"strings"

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
	case c.IsClassifier() && !c.IsImages():
		return c.errAt("data.kind", `the classifier objective trains on labelled images (data.kind = "images"), not %q`, c.Data.Kind)
	case m.NumClasses < 0 || m.NumClasses == 1:
		return c.errAt("model.num_classes", "must be >= 2 (or 0 for the data set's classes), got %d", m.NumClasses)
	}
	if c.IsClassifier() {
		if err := c.ClassifierConfig(2).Check(); err != nil {
			if ce, ok := err.(*model.ConfigError); ok {
				return c.errAt(classifierKey(ce.Key), "%s", ce.Msg)
			}
			return c.errAt("model", "%v", err)
		}
	}
	return nil
}

// classifierKey is the config key of a model.ClassifierConfig field (its
// JSON name).
func classifierKey(field string) string {
	switch field {
	case "image_size", "num_channels", "centered":
		return "data." + field
	}
	return "model." + field
}
