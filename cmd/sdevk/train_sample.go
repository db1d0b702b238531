package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sampling"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/train"
	"github.com/sdevk/sdevk/vk"
)

// netScore builds a device score model from a network and its weights.
func netScore(dev *vk.Device, net model.ScoreNet, weights map[string][]float32) (*sampling.NetScore, *vkexec.Executor, error) {
	exec := vkexec.New(dev)
	for _, p := range net.Params() {
		v, ok := weights[p.Name]
		if !ok {
			exec.Params.Release()
			return nil, nil, fmt.Errorf("no weights for %s", p.Name)
		}
		if err := exec.Params.Set(p.Name, graph.Shape(p.Shape), v); err != nil {
			exec.Params.Release()
			return nil, nil, err
		}
	}
	return &sampling.NetScore{Exec: exec, Build: net.Build}, exec, nil
}

// sampleAfterTraining draws n samples with the EMA weights by the config's
// sampler, writes samples.npy (and samples.png for 2-D data) into the run
// directory, and prints their quality against fresh exact samples.
func sampleAfterTraining(dev *vk.Device, c *config.Config, s sde.SDE, net model.ScoreNet, tr *train.Trainer, ds data.Dataset, n int, dir string, stdout io.Writer) error {
	weights, err := tr.EMAParams()
	if err != nil {
		return err
	}
	score, exec, err := netScore(dev, net, weights)
	if err != nil {
		return err
	}
	defer exec.Params.Release()
	// The sampler's grid has sampling.n_steps points; the model is the same.
	if s, err = c.NewSDE(c.SamplingSteps()); err != nil {
		return usagef("%s: sampling.n_steps: %v", c.File, err)
	}
	x, nfe, desc, err := deviceSample(exec, c, s, score, n, ds.Dim(), c.Seed)
	if err != nil {
		return err
	}
	pts := make([]float64, len(x))
	for i, v := range x {
		pts[i] = float64(v)
	}
	npy := filepath.Join(dir, "samples.npy")
	if err := data.SaveNPY(npy, pts, n, ds.Dim()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sampled %d points by %s, NFE %d: %s\n", n, desc, nfe, npy)
	if ds.Dim() == 2 {
		png := filepath.Join(dir, "samples.png")
		if err := samplesPNG(png, ds, pts, "samples: "+desc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "plot: %s\n", png)
	}
	ref := ds.Sample(n, rand.New(rand.NewPCG(c.Seed, 0xe7a1)))
	ed, err := data.EnergyDistance(pts, ref, ds.Dim())
	if err != nil {
		return err
	}
	floor := data.ExpectedNoiseFloor(ds, n, n, rand.New(rand.NewPCG(c.Seed, 0xf100)))
	fmt.Fprintf(stdout, "energy distance to exact samples %.4g (exact-vs-exact floor %.4g, ratio %.2f)\n", ed, floor, ed/floor)
	if m, ok := ds.(data.Mixture); ok {
		fmt.Fprintf(stdout, "mode weights %s (true %s)\n", fmtWeights(m.GMM().ModeWeights(pts)), fmtWeights(m.GMM().Weights()))
	}
	return nil
}

// deviceSample runs the config's sampler on the device.
func deviceSample(exec *vkexec.Executor, c *config.Config, s sde.SDE, score sampling.Score, n, d int, seed uint64) ([]float32, int, string, error) {
	lib := exec.Lib
	switch c.Sampling.Method {
	case "ode":
		o, err := c.ODEOptions()
		if err != nil {
			return nil, 0, "", err
		}
		x, res, err := sampling.ODESample(lib, s, score, n, d, o, seed)
		return x, res.NFE, fmt.Sprintf("probability-flow ODE (RK45, rtol %g)", o.RTol), err
	case "ald", "langevin":
		ve, ok := s.(*sde.VE)
		if !ok {
			return nil, 0, "", fmt.Errorf("%s sampling needs a VE model (noise levels), not %v", c.Sampling.Method, s.Kind())
		}
		o := c.ALDOptions()
		desc := fmt.Sprintf("annealed Langevin (%d levels x %d steps)", len(o.Sigmas), o.StepsEach)
		if c.Sampling.Method == "langevin" {
			_, end := c.ALDRange()
			o = sde.ALDOptions{Sigmas: []float64{end}, StepsEach: c.Sampling.NLevels * c.Sampling.NStepsEach, Eps: c.Sampling.StepLR}
			desc = fmt.Sprintf("Langevin (%d steps at sigma %g)", o.StepsEach, end)
		}
		rows, err := sampling.ALDRows(o, ve.TimeOfSigma)
		if err != nil {
			return nil, 0, "", err
		}
		p, err := sampling.NewRows(lib, score, n, d, rows, o.Sigmas[0], sampling.PCOptions{}, seed)
		if err != nil {
			return nil, 0, "", err
		}
		defer p.Close()
		return runSampler(p, desc)
	default:
		o, err := c.PCOptions()
		if err != nil {
			return nil, 0, "", err
		}
		p, err := sampling.NewPC(lib, s, score, n, d, sampling.PCOptions{PCOptions: o}, seed)
		if err != nil {
			return nil, 0, "", err
		}
		defer p.Close()
		return runSampler(p, fmt.Sprintf("PC (%v + %v, %d steps)", o.Predictor, o.Corrector, s.N()))
	}
}

func runSampler(p *sampling.PCSampler, desc string) ([]float32, int, string, error) {
	res, err := p.Run()
	if err != nil {
		return nil, 0, "", err
	}
	x, err := p.Samples()
	return x, res.NFE, desc, err
}
