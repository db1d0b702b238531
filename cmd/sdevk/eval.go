package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sdevk/sdevk/data"
)

func init() {
	register("eval", "sample quality against the config's data: energy distance and MMD vs the exact noise floor, mixture mode weights; for images (--classifier), FID, KID, class histogram and confidence in a classifier's features", runEval)
}

// evalReport is the JSON written by `sdevk eval --out`: the files judged
// and data.Evaluate's measures.
type evalReport struct {
	Config  string `json:"config"`
	Samples string `json:"samples"`
	*data.Evaluation
}

func runEval(args []string, stdout io.Writer) error {
	fs := newFlags("eval")
	cfgPath := fs.String("config", "", "TOML config whose data the samples are judged against")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	samples := fs.String("samples", "", ".npy file of samples, shape (N, D), or images (N, C, H, W) in [0, 1] with --classifier")
	out := fs.String("out", "", "write the JSON report here")
	seed := fs.Uint64("seed", 0, "seed of the exact reference points, or of KID's subsets and the floor's images (default the config's seed)")
	reps := fs.Int("reps", 5, "repetitions of the exact-vs-exact noise floor")
	var img imageEvalFlags
	img.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
	if img.classifier != "" {
		return runImageEval(img, *cfgPath, sets, *samples, *out, *seed, given["seed"], stdout)
	}
	if err := img.onlyWithClassifier(given); err != nil {
		return err
	}
	c, err := loadConfig(*cfgPath, sets)
	if err != nil {
		return err
	}
	if *reps < 1 {
		return usagef("--reps: must be >= 1, got %d", *reps)
	}
	if !given["seed"] {
		*seed = c.Seed
	}
	ds, pts, err := pointsOfConfig(c, "--samples", *samples, *out)
	if err != nil {
		return err
	}
	if pts.N < 2 {
		return usagef("--samples %s: need at least 2 points, got %d", *samples, pts.N)
	}
	e, err := data.Evaluate(ds, pts.X, *seed, *reps)
	if err != nil {
		return err
	}
	rep := evalReport{Config: c.File, Samples: *samples, Evaluation: e}
	fmt.Fprintf(stdout, "%d samples (%d-D) from %s against %d exact points of %s\n", e.N, e.Dim, *samples, e.N, e.Data)
	fmt.Fprintf(stdout, "energy distance %.4g; exact-vs-exact noise floor %.4g +- %.2g (%d reps, expected %.4g); ratio %.3g\n",
		e.EnergyDistance, e.NoiseFloor, e.NoiseFloorStd, e.Reps, e.ExpectedNoiseFloor, e.Ratio)
	fmt.Fprintf(stdout, "MMD^2 %.4g (bandwidth %.3g); exact-vs-exact %.2g +- %.2g\n", e.MMD2, e.MMDBandwidth, e.MMD2Floor, e.MMD2FloorStd)
	if e.Modes != nil {
		sw, tw, ew := make([]float64, len(e.Modes)), make([]float64, len(e.Modes)), make([]float64, len(e.Modes))
		for k, m := range e.Modes {
			sw[k], tw[k], ew[k] = m.SampleWeight, m.Weight, m.ExactSampleWeight
		}
		fmt.Fprintf(stdout, "mode weights %s (target %s, exact samples %s); max weight error %.3g\n",
			fmtWeights(sw), fmtWeights(tw), fmtWeights(ew), *e.MaxWeightError)
	}
	if *out != "" {
		if err := writeJSON(*out, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	return nil
}

// fmtWeights prints mixture weights compactly, the first eight of them.
func fmtWeights(w []float64) string {
	const show = 8
	var s []string
	for i, v := range w {
		if i == show {
			s = append(s, fmt.Sprintf("... (%d modes)", len(w)))
			break
		}
		s = append(s, fmt.Sprintf("%.3f", v))
	}
	return strings.Join(s, "/")
}
