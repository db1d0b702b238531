package train

import (
	"errors"
	"fmt"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk/kernels"
)

// ConfigFrom builds the training setup of a config on the data set ds: the
// SDE, the network, the loss, Adam from [optim], the EMA rate, the batch and
// the seed. Errors name the config file and the section.
func ConfigFrom(c *config.Config, ds data.Dataset) (Config, error) {
	s, err := c.NewSDE(0)
	if err != nil {
		return Config{}, fmt.Errorf("%s: sde: %v", c.File, err)
	}
	var net model.ScoreNet
	if !c.IsClassifier() { // the classifier is built below, or by AddImages, which knows the classes
		if net, err = c.NewScoreNet(s, ds.Dim()); err != nil {
			return Config{}, fmt.Errorf("%s: model: %v", c.File, err)
		}
	}
	var cls *Classifier
	if c.IsClassifier() && !c.IsImages() {
		if cls, err = pointClassifierFor(c, ds); err != nil {
			return Config{}, err
		}
	}
	adam := kernels.DefaultAdam()
	adam.Beta1, adam.Beta2, adam.Eps = c.Optim.Beta1, c.Optim.Beta2, c.Optim.Eps
	adam.Warmup, adam.Clip, adam.WeightDecay = c.Optim.Warmup, c.Optim.GradClip, c.Optim.WeightDecay
	adam.Decoupled = c.Optim.Optimizer == "adamw"
	return Config{SDE: s, Net: net, Loss: c.LossConfig(), Adam: adam, LR: c.Optim.LR,
		EMA: c.Model.EMARate, Batch: c.Training.BatchSize, Data: ds, Seed: c.Seed, Classifier: cls}, nil
}

// AddImages gives tc the image batches of an image config: score_sde's
// pipeline over the train split, and over the test split for EvalLoss when
// training.eval_freq > 0. A data set that is not installed is an error
// giving the command that installs it.
func AddImages(tc *Config, c *config.Config) error {
	im, err := c.Images("train")
	if err != nil {
		return dataErr(c, err)
	}
	tc.Images = c.Pipeline(im)
	if err := tc.Images.Check(); err != nil {
		return fmt.Errorf("%s: training.batch_size: %v", c.File, err)
	}
	if c.IsClassifier() {
		if tc.Classifier, err = classifierFor(c, im); err != nil {
			return err
		}
	}
	if c.Training.EvalFreq <= 0 {
		return nil
	}
	test, err := c.Images("test")
	if err != nil {
		return dataErr(c, err)
	}
	tc.EvalImages = c.Pipeline(test)
	// The evaluation's own order and dequantisation noise.
	tc.EvalImages.Seed ^= evalStream
	if err := tc.EvalImages.Check(); err != nil {
		return fmt.Errorf("%s: training.batch_size: test split: %v", c.File, err)
	}
	return nil
}

// dataErr names the config file in a data set's error (a config error
// names it already).
func dataErr(c *config.Config, err error) error {
	var ce *config.Error
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("%s: data: %v", c.File, err)
}

// classifierFor builds the [model] classifier of a classifier config for
// the labelled training images im: as many classes as im has, unless
// model.num_classes says otherwise (and covers every label).
func classifierFor(c *config.Config, im *data.Images) (*Classifier, error) {
	if im.Labels == nil {
		return nil, fmt.Errorf("%s: training.objective: the classifier trains on labelled images; the data set has no labels", c.File)
	}
	classes := len(im.Classes)
	for _, y := range im.Labels {
		classes = max(classes, y+1)
	}
	if k := c.Model.NumClasses; k > 0 && k < classes {
		return nil, fmt.Errorf("%s: model.num_classes: %d, but the data set has %d classes", c.File, k, classes)
	}
	return newClassifier(c, c.ClassifierConfig(classes))
}

// pointClassifierFor builds the [model] classifier of a classifier config
// on a Gaussian mixture: one class per component (pointBatches labels each
// point with the component it was drawn from).
func pointClassifierFor(c *config.Config, ds data.Dataset) (*Classifier, error) {
	mix, ok := ds.(data.Mixture)
	if !ok {
		return nil, fmt.Errorf("%s: data.kind: the point classifier learns the components of a Gaussian mixture; %s is not one", c.File, ds.Name())
	}
	classes := mix.GMM().K()
	if k := c.Model.NumClasses; k > 0 && k < classes {
		return nil, fmt.Errorf("%s: model.num_classes: %d, but the mixture has %d components", c.File, k, classes)
	}
	return newClassifier(c, c.PointClassifierConfig(classes, ds.Dim()))
}

// newClassifier declares the classifier cc of c with c's training keys.
func newClassifier(c *config.Config, cc model.ClassifierConfig) (*Classifier, error) {
	net, err := model.NewClassifier(cc)
	if err != nil {
		return nil, fmt.Errorf("%s: model: %v", c.File, err)
	}
	return &Classifier{Net: net, Loss: sde.ClassifierLossConfig{NoiseConditional: c.Model.Conditional, Eps: c.Training.Eps}}, nil
}
