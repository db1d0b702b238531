package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/internal/atomicfile"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
)

func init() {
	register("likelihood", "log-likelihood through the probability-flow ODE (exact divergence or Hutchinson probes): nats for points, bits/dim for images", runLikelihood)
}

// odeRun is what both likelihood reports (points and images) say of the
// probability-flow ODE run that measured them.
type odeRun struct {
	Config    string  `json:"config"`
	Data      string  `json:"data"`
	N         int     `json:"n"`
	Dim       int     `json:"dim"`
	SDE       string  `json:"sde"`
	Estimator string  `json:"estimator"`
	Probes    int     `json:"probes,omitempty"`
	RTol      float64 `json:"rtol"`
	ATol      float64 `json:"atol"`
	Eps       float64 `json:"eps"`
	Seed      uint64  `json:"seed"`
	NFE       int     `json:"nfe"`
	WallS     float64 `json:"wall_s"`
}

// newODERun describes the run of c's likelihood settings l over n d-D
// inputs from data; probes count only for the stochastic estimators.
func newODERun(c *config.Config, data string, n, d int, l config.LikelihoodConfig, est sde.Estimator, seed uint64, nfe int, wall time.Duration) odeRun {
	r := odeRun{Config: c.File, Data: data, N: n, Dim: d, SDE: c.SDE.Kind, Estimator: est.String(),
		RTol: l.RTol, ATol: l.ATol, Eps: l.Eps, Seed: seed, NFE: nfe, WallS: wall.Seconds()}
	if est != sde.ExactDiv {
		r.Probes = l.Probes
	}
	return r
}

// likelihoodReport is the JSON written by `sdevk likelihood --out`.
type likelihoodReport struct {
	odeRun
	Score      string    `json:"score"`
	Device     string    `json:"device"`
	LogP       []float64 `json:"logp"`
	MeanLogP   float64   `json:"mean_logp"`
	NatsPerDim float64   `json:"nats_per_dim"`
	// The exact log-density of the perturbed data at t = eps (where the ODE
	// starts), for Gaussian-mixture data.
	ExactLogP       []float64 `json:"exact_logp,omitempty"`
	ExactMeanLogP   *float64  `json:"exact_mean_logp,omitempty"`
	ExactNatsPerDim *float64  `json:"exact_nats_per_dim,omitempty"`
	// MeanAbsErrorPerDim is mean |logp - exact_logp| / dim.
	MeanAbsErrorPerDim *float64 `json:"mean_abs_error_per_dim,omitempty"`
	Warnings           []string `json:"warnings,omitempty"`
}

func runLikelihood(args []string, stdout io.Writer) error {
	fs := newFlags("likelihood")
	cfgPath := fs.String("config", "", "TOML config (see configs/)")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	score := fs.String("score", "", "oracle: the exact score of the config's Gaussian mixture")
	checkpoint := fs.String("checkpoint", "", "run directory (its latest checkpoint) or checkpoint file of sdevk train")
	dataPath := fs.String("data", "", ".npy file of points, shape (N, D); for image models test (default) | train | an image .npy, folder or IDX file")
	first := fs.Int("first", 0, "image models: the first image of --data to measure")
	nImages := fs.Int("n", 0, "image models: how many images of --data to measure (default all from --first)")
	estimator := fs.String("estimator", "", "divergence: rademacher | gaussian | exact (default likelihood.estimator)")
	probes := fs.Int("probes", 0, "Hutchinson probes per point (default likelihood.probes)")
	rtol := fs.Float64("rtol", 0, "RK45 relative tolerance (default likelihood.rtol)")
	atol := fs.Float64("atol", 0, "RK45 absolute tolerance (default likelihood.atol)")
	seed := fs.Uint64("seed", 0, "seed of the probes (default the config's seed)")
	out := fs.String("out", "", "write the JSON report here")
	device := fs.String("device", "", "Vulkan device index or name part (default the best), or "+sampling.ReferenceDevice+" for the pure-Go float64 reference")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
	c, src, err := loadScoreModel("likelihood", *cfgPath, *score, *checkpoint, sets)
	if err != nil {
		return err
	}
	l := c.Likelihood
	if given["estimator"] {
		if _, err := sde.ParseEstimator(*estimator); err != nil || *estimator == "hutchinson" {
			return usagef("--estimator: unknown estimator %q (want rademacher | gaussian | exact)", *estimator)
		}
		l.Estimator = *estimator
	}
	est, err := sde.ParseEstimator(l.Estimator)
	if err != nil {
		return usagef("%s: likelihood.estimator: %v", c.File, err)
	}
	if given["probes"] {
		if est == sde.ExactDiv {
			if given["estimator"] {
				return usagef("--probes: only used by the rademacher and gaussian estimators (--estimator is exact); drop --probes or change --estimator")
			}
			return usagef("--probes: only used by the rademacher and gaussian estimators (%s has likelihood.estimator = \"exact\"); add --estimator rademacher or gaussian", c.File)
		}
		if *probes < 1 {
			return usagef("--probes: must be >= 1, got %d", *probes)
		}
		l.Probes = *probes
	}
	for _, tol := range []struct {
		name string
		v    float64
		dst  *float64
	}{{"rtol", *rtol, &l.RTol}, {"atol", *atol, &l.ATol}} {
		if given[tol.name] {
			if !(tol.v > 0) || math.IsInf(tol.v, 0) {
				return usagef("--%s: must be > 0, got %g", tol.name, tol.v)
			}
			*tol.dst = tol.v
		}
	}
	if !given["seed"] {
		*seed = c.Seed
	}
	if c.IsImages() {
		return imageLikelihood(c, src, sampling.NewBackend(*device), *dataPath, *first, *nImages, l, est, *seed, *device, *out, stdout)
	}
	for _, name := range []string{"first", "n"} {
		if given[name] {
			return usagef("--%s: only used for image models (points: give the .npy of the points to measure)", name)
		}
	}
	ds, pts, err := pointsOfConfig(c, "--data", *dataPath, *out)
	if err != nil {
		return err
	}
	d := ds.Dim()
	backend := sampling.NewBackend(*device)
	if *device != sampling.ReferenceDevice && !src.IsNet() && est != sde.ExactDiv {
		fmt.Fprintf(cmdStderr, "sdevk: note: the oracle's divergence is exact on the device; --estimator %v is used with --device %s only\n", est, sampling.ReferenceDevice)
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return usagef("%s: sde: %v", c.File, err)
	}
	warnings := printDoctor(c, ds, *seed)

	start := time.Now()
	res, err := backend.LogLikelihood(cmdContext, sampling.LikelihoodRequest{
		SDE: s, Dim: d, X: pts.X, Seed: *seed, Estimator: est, Probes: l.Probes,
		RTol: l.RTol, ATol: l.ATol, Eps: l.Eps, Score: src,
	})
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("probability-flow likelihood: %w", backendErr(err))
	}
	rep := likelihoodReport{
		odeRun: newODERun(c, *dataPath, pts.N, d, l, est, *seed, res.NFE, wall),
		Score:  src.Name, Device: *device, LogP: res.LogP, MeanLogP: res.MeanLogP, NatsPerDim: res.NatsPerDim,
		Warnings: warnings,
	}
	how := est.String()
	if est != sde.ExactDiv {
		how = fmt.Sprintf("%s, %d probe(s)", est, l.Probes)
	}
	fmt.Fprintf(stdout, "log-likelihood of %d points (%d-D) from %s by the probability-flow ODE (%s divergence, rtol %g, atol %g) on %s\n",
		pts.N, d, *dataPath, how, l.RTol, l.ATol, sampling.DeviceLabel(*device))
	fmt.Fprintf(stdout, "mean log p %.6g nats, %.6g nats/dim, NFE %d, wall time %.3f s\n", res.MeanLogP, res.NatsPerDim, res.NFE, wall.Seconds())
	if src.GMM != nil {
		exact := make([]float64, pts.N)
		src.Oracle(s).LogProb(pts.X, l.Eps, exact)
		mean, abs := 0.0, 0.0
		for i, v := range exact {
			mean += v / float64(pts.N)
			abs += math.Abs(res.LogP[i]-v) / float64(pts.N*d)
		}
		npd := -mean / float64(d)
		rep.ExactLogP, rep.ExactMeanLogP, rep.ExactNatsPerDim, rep.MeanAbsErrorPerDim = exact, &mean, &npd, &abs
		fmt.Fprintf(stdout, "exact mean log p %.6g nats (%.6g nats/dim); mean |error| %.3g nats/dim\n", mean, npd, abs)
	}
	if *out != "" {
		if err := writeJSON(*out, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	return nil
}

// writeJSON writes v, indented, atomically.
func writeJSON(path string, v any) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}
