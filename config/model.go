package config

import (
	"fmt"

	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// NewMLP builds the [model] score network for d-dimensional data under s.
func (c *Config) NewMLP(s sde.SDE, d int) (*model.MLP, error) {
	param := model.ParamDefault
	if s.Kind() == sde.KindVE {
		param = model.ParamDirect
		if c.Model.ScaleBySigma {
			param = model.ParamScaled
		}
	}
	return model.NewMLP(s, model.MLPConfig{
		Dim: d, Hidden: c.Model.Hidden, Layers: c.Model.Layers, Act: c.Model.Activation,
		Embed: c.Model.Embedding, EmbedDim: c.Model.EmbeddingDim, FourierScale: c.Model.FourierScale,
		Param: param,
	})
}

// LossConfig is the [training] objective.
func (c *Config) LossConfig() sde.LossConfig {
	l := sde.DefaultLossConfig()
	t := c.Training
	l.Loss, l.ReduceMean, l.LikelihoodWeighting = t.Loss, t.ReduceMean, t.LikelihoodWeighting
	if t.NParticles > 0 {
		l.NParticles = t.NParticles
	}
	if t.Projection != "" {
		l.Projection = t.Projection
	}
	if t.Eps > 0 {
		l.Eps = t.Eps
	}
	return l
}

// NewScoreNet builds the [model] score network for d-dimensional data under
// s: one of score_sde's U-Nets (whose images must hold d values) or the MLP.
func (c *Config) NewScoreNet(s sde.SDE, d int) (model.ScoreNet, error) {
	if !c.IsUNet() {
		return c.NewMLP(s, d)
	}
	net, err := c.NewUNet(s)
	if err != nil {
		return nil, err
	}
	if net.Dim() != d {
		return nil, fmt.Errorf("%s images hold %v = %d values, the data %d", c.Model.Name, net.ImageShape(), net.Dim(), d)
	}
	return net, nil
}
