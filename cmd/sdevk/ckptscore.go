package main

import (
	"encoding/json"
	"fmt"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/model"
)

// loadScoreModel resolves the score of a sampling or likelihood command:
// --checkpoint PATH (the run's config, saved in the checkpoint, with the
// --set overrides, and the network's EMA weights) or --config FILE --score
// oracle.
func loadScoreModel(cmd, cfgPath, score, ckpt string, sets []string) (*config.Config, scoreSource, error) {
	if ckpt == "" {
		c, err := loadConfig(cfgPath, sets)
		if err != nil {
			return nil, scoreSource{}, err
		}
		src, err := resolveScore(cmd, score, "", c)
		return c, src, err
	}
	if cfgPath != "" || score != "" {
		return nil, scoreSource{}, usagef("%s: give either --checkpoint or --config with --score, not both", cmd)
	}
	path, err := checkpoint.Resolve(ckpt)
	if err != nil {
		return nil, scoreSource{}, usagef("--checkpoint: %v", err)
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		return nil, scoreSource{}, usagef("--checkpoint: %v", err)
	}
	text, ok := ck.Meta["config"]
	if !ok {
		return nil, scoreSource{}, usagef("--checkpoint %s: no config in its metadata (not written by sdevk train?)", path)
	}
	// The run's own --set overrides first, then this command's.
	var saved []string
	if js := ck.Meta["sets"]; js != "" {
		if err := json.Unmarshal([]byte(js), &saved); err != nil {
			return nil, scoreSource{}, usagef("--checkpoint %s: unreadable sets metadata %q", path, js)
		}
	}
	c, err := config.Parse(path+" (saved config)", []byte(text), append(saved, sets...))
	if err != nil {
		return nil, scoreSource{}, usagef("%v", err)
	}
	ds, err := configDataset(c)
	if err != nil {
		return nil, scoreSource{}, err
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return nil, scoreSource{}, usagef("%s: sde: %v", path, err)
	}
	net, err := c.NewMLP(s, ds.Dim())
	if err != nil {
		return nil, scoreSource{}, usagef("%s: model: %v", path, err)
	}
	weights, err := checkpointWeights(path, ck, net)
	if err != nil {
		return nil, scoreSource{}, err
	}
	return c, scoreSource{Name: path, Net: net, Weights: weights, Dim: ds.Dim()}, nil
}

// checkpointWeights picks each parameter's EMA (or, without one, its value)
// and checks its shape against the network.
func checkpointWeights(path string, ck *checkpoint.Checkpoint, net model.ScoreNet) (map[string][]float32, error) {
	out := map[string][]float32{}
	for _, p := range net.Params() {
		t, ok := ck.Tensors["ema/"+p.Name]
		if !ok {
			t, ok = ck.Tensors["params/"+p.Name]
		}
		if !ok {
			return nil, usagef("--checkpoint %s: no tensor for parameter %s (a checkpoint of another model?)", path, p.Name)
		}
		if fmt.Sprint(t.Shape) != fmt.Sprint(p.Shape) {
			return nil, usagef("--checkpoint %s: %s has shape %v, the config's model wants %v", path, p.Name, t.Shape, p.Shape)
		}
		out[p.Name] = t.Data
	}
	return out, nil
}
