package sampling

import (
	"encoding/json"
	"fmt"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/model"
)

// NewRequest turns a config's [sampling] section into a request for n points
// of dimension d by method m. Errors name the config file and the section.
func NewRequest(c *config.Config, m Method, n, d int, seed uint64, score ScoreModel) (Request, error) {
	s, err := c.NewSDE(c.SamplingSteps())
	if err != nil {
		return Request{}, fmt.Errorf("%s: sde: %v", c.File, err)
	}
	r := Request{SDE: s, Dim: d, N: n, Seed: seed, Method: m, Score: score}
	switch m {
	case PC, EM:
		if r.PC, err = c.PCOptions(); err != nil {
			return r, fmt.Errorf("%s: sampling: %v", c.File, err)
		}
		// An image model's Langevin corrector steps each sample by its own
		// norms, so that sample i depends only on (seed, i); point models
		// keep score_sde's batch means.
		r.PC.PerSampleSNR = c.IsUNet()
	case ODE:
		if r.ODE, err = c.ODEOptions(); err != nil {
			return r, fmt.Errorf("%s: sampling: %v", c.File, err)
		}
	case ALD, Langevin:
		r.ALD = c.ALDOptions()
		r.InitStd = r.ALD.Sigmas[0]
		_, end := c.ALDRange()
		r.Langevin = LangevinOptions{Sigma: end, Step: c.Sampling.StepLR, Steps: c.Sampling.NLevels * c.Sampling.NStepsEach}
	default:
		if err := r.fastFromConfig(c); err != nil {
			return r, err
		}
	}
	return r, nil
}

// LoadCheckpoint reads a checkpoint of sdevk train (a file, or a run
// directory's latest) as a score model: the run's config, saved in the
// checkpoint, with the run's and then the given --set overrides, and the
// network's EMA weights. It returns the config and the model.
func LoadCheckpoint(ckpt string, sets []string) (*config.Config, ScoreModel, error) {
	return LoadCheckpointWeights(ckpt, sets, EMAWeights)
}

// LoadCheckpointWeights is LoadCheckpoint with the weight set to use:
// EMAWeights (each parameter's EMA, or its value without one) or
// RawWeights (the values).
func LoadCheckpointWeights(ckpt string, sets []string, weights string) (*config.Config, ScoreModel, error) {
	if weights != EMAWeights && weights != RawWeights {
		return nil, ScoreModel{}, fmt.Errorf("weights %q: want %s or %s", weights, EMAWeights, RawWeights)
	}
	path, err := checkpoint.Resolve(ckpt)
	if err != nil {
		return nil, ScoreModel{}, err
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		return nil, ScoreModel{}, err
	}
	text, ok := ck.Meta["config"]
	if !ok {
		return nil, ScoreModel{}, fmt.Errorf("%s: no config in its metadata (not written by sdevk train?)", path)
	}
	var saved []string
	if js := ck.Meta["sets"]; js != "" {
		if err := json.Unmarshal([]byte(js), &saved); err != nil {
			return nil, ScoreModel{}, fmt.Errorf("%s: unreadable sets metadata %q", path, js)
		}
	}
	c, err := config.Parse(path+" (saved config)", []byte(text), append(saved, sets...))
	if err != nil {
		return nil, ScoreModel{}, err
	}
	net, dim, err := NetworkFromConfig(c)
	if err != nil {
		return nil, ScoreModel{}, fmt.Errorf("%s: model: %v", path, err)
	}
	w, err := ck.Weights(model.CheckpointParams(net.Params()), weights == EMAWeights)
	if err != nil {
		return nil, ScoreModel{}, fmt.Errorf("%s: %v", path, err)
	}
	return c, NetModel(path, net, w, dim), nil
}
