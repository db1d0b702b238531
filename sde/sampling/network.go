package sampling

import (
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/model"
)

// NetworkFromConfig builds the score network of c's [model] for its data
// and SDE, without weights (what `sdevk import` fills).
func NetworkFromConfig(c *config.Config) (model.ScoreNet, error) {
	ds, err := c.Dataset()
	if err != nil {
		return nil, err
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return nil, err
	}
	return c.NewMLP(s, ds.Dim())
}
