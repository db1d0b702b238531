package sampling

import (
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/model"
)

// NetworkFromConfig builds the score network of c's [model] (one of
// score_sde's U-Nets, or the MLP for its data) for its SDE, without
// weights, and returns it with the dimension of its points.
func NetworkFromConfig(c *config.Config) (model.ScoreNet, int, error) {
	s, err := c.NewSDE(0)
	if err != nil {
		return nil, 0, err
	}
	if c.IsUNet() {
		u, err := c.NewUNet(s)
		if err != nil {
			return nil, 0, err
		}
		return u, u.Dim(), nil
	}
	ds, err := c.Dataset()
	if err != nil {
		return nil, 0, err
	}
	net, err := c.NewMLP(s, ds.Dim())
	return net, ds.Dim(), err
}
