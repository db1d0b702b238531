package sampling

import (
	"encoding/json"
	"fmt"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/quality"
)

// LoadClassifier reads a classifier run directory or checkpoint
// (quality.LoadClassifier) and, when its metadata holds the config it was
// trained with (sdevk train writes it), that config's SDE, so that
// CheckSDE can compare it with a model's. A saved config that does not
// parse here (a newer sdevk's keys) leaves the SDE unchecked rather than
// refusing a classifier that loads.
func LoadClassifier(path string) (Classifier, error) {
	net, weights, err := quality.LoadClassifier(path)
	if err != nil {
		return Classifier{}, err
	}
	c := Classifier{Name: path, Net: net, Weights: weights}
	file, err := checkpoint.Resolve(path)
	if err != nil {
		return Classifier{}, err
	}
	ck, err := checkpoint.Load(file)
	if err != nil {
		return Classifier{}, err
	}
	text, ok := ck.Meta["config"]
	if !ok {
		return c, nil
	}
	var saved []string
	if js := ck.Meta["sets"]; js != "" && json.Unmarshal([]byte(js), &saved) != nil {
		saved = nil
	}
	if cfg, err := config.Parse(file+" (saved config)", []byte(text), saved); err == nil {
		c.SDE = &cfg.SDE
	}
	return c, nil
}

// CheckSDE refuses a classifier trained under another SDE than s: its
// p_t(y | x_t) is of other perturbed data at the same t. The step count
// does not matter (the classifier is conditioned on continuous t).
func (c Classifier) CheckSDE(s config.SDEConfig) error {
	if c.SDE == nil {
		return nil
	}
	if c.SDE.Kind != s.Kind || describeSDE(*c.SDE) != describeSDE(s) {
		return fmt.Errorf("%s was trained on data perturbed by the %s SDE, the model samples the %s SDE", c.Name, describeSDE(*c.SDE), describeSDE(s))
	}
	return nil
}

// describeSDE names an SDE by its kind and the constants of its marginals.
func describeSDE(s config.SDEConfig) string {
	if s.Kind == "ve" {
		return fmt.Sprintf("ve (sigma %g .. %g)", s.SigmaMin, s.SigmaMax)
	}
	return fmt.Sprintf("%s (beta %g .. %g)", s.Kind, s.BetaMin, s.BetaMax)
}
