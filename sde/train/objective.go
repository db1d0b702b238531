package train

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// Classifier makes a trainer fit a classifier rather than a score network:
// softmax cross-entropy of Net's logits against the batch labels, on clean
// images or, with Loss.NoiseConditional, on x_t perturbed by the config's
// SDE (sde.BuildClassifierLoss).
type Classifier struct {
	Net  *model.Classifier
	Loss sde.ClassifierLossConfig
}

// labelsInput names the one-hot labels input of a classifier's step.
const labelsInput = "labels"

// objective is what a trainer minimises, and the parameters it trains.
type objective struct {
	specs []model.ParamSpec
	// classes is the width of the one-hot labels input (0: none is read).
	classes int
	// build makes the loss of the batch x0 (and labels) on x0's graph; a
	// training build has dropout on, an evaluation build off.
	build func(x0, labels *graph.Node, training bool) (*graph.Node, error)
}

// objective returns cfg's: the score-matching loss of Net, or the
// cross-entropy of Classifier.
func (cfg Config) objective() objective {
	if c := cfg.Classifier; c != nil {
		return objective{specs: c.Net.Params(), classes: c.Net.Config().NumClasses,
			build: func(x0, labels *graph.Node, _ bool) (*graph.Node, error) {
				ln, err := sde.BuildClassifierLoss(cfg.SDE, c.Net, x0, labels, c.Loss)
				if err != nil {
					return nil, err
				}
				return ln.Loss, nil
			}}
	}
	return objective{specs: cfg.Net.Params(),
		build: func(x0, _ *graph.Node, training bool) (*graph.Node, error) {
			net := cfg.Net
			if training {
				net = model.ForTraining(net)
			}
			ln, err := sde.BuildLoss(cfg.SDE, net, x0, cfg.Loss)
			if err != nil {
				return nil, err
			}
			return ln.Loss, nil
		}}
}

// inputs adds the objective's inputs for batches of b points of dimension
// d to g: x0, and the one-hot labels when it reads them.
func (o objective) inputs(g *graph.Graph, b, d int) (x0, labels *graph.Node) {
	x0 = g.Input("x0", b, d)
	if o.classes > 0 {
		labels = g.Input(labelsInput, b, o.classes)
	}
	return x0, labels
}

// oneHot is the labels input of a batch: an error for unlabelled data or a
// label outside the classifier's classes.
func (o objective) oneHot(labels []int, b int) ([]float32, error) {
	if labels == nil {
		return nil, fmt.Errorf("train: the classifier objective needs labelled images (the data set has no labels)")
	}
	if len(labels) != b {
		return nil, fmt.Errorf("train: %d labels for a batch of %d", len(labels), b)
	}
	for _, y := range labels {
		if y < 0 || y >= o.classes {
			return nil, fmt.Errorf("train: label %d outside the classifier's %d classes (model.num_classes)", y, o.classes)
		}
	}
	return sde.OneHot(labels, o.classes)
}
