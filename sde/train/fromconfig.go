package train

import (
	"fmt"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
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
	net, err := c.NewScoreNet(s, ds.Dim())
	if err != nil {
		return Config{}, fmt.Errorf("%s: model: %v", c.File, err)
	}
	adam := kernels.DefaultAdam()
	adam.Beta1, adam.Beta2, adam.Eps = c.Optim.Beta1, c.Optim.Beta2, c.Optim.Eps
	adam.Warmup, adam.Clip, adam.WeightDecay = c.Optim.Warmup, c.Optim.GradClip, c.Optim.WeightDecay
	adam.Decoupled = c.Optim.Optimizer == "adamw"
	return Config{SDE: s, Net: net, Loss: c.LossConfig(), Adam: adam, LR: c.Optim.LR,
		EMA: c.Model.EMARate, Batch: c.Training.BatchSize, Data: ds, Seed: c.Seed}, nil
}
