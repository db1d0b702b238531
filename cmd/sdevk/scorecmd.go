package main

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/sampling"
)

func init() {
	register("score", "evaluate a model's score at given points and times (.npy in, .npy out), to debug or compare with other code", runScore)
}

func runScore(args []string, stdout io.Writer) error {
	fs := newFlags("score")
	ckpt := fs.String("checkpoint", "", "run directory (its latest checkpoint) or checkpoint file (of sdevk train or import)")
	cfgPath := fs.String("config", "", "TOML config, with --score oracle")
	score := fs.String("score", "", "oracle: the exact score of the config's Gaussian mixture")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	weights := fs.String("weights", sampling.EMAWeights, "checkpoint weights: ema | model (the raw trained values)")
	xPath := fs.String("x", "", ".npy float array of points, shape (N, ...)")
	tPath := fs.String("t", "", ".npy float array of times, shape (N,)")
	out := fs.String("out", "", "write the scores here: float32 .npy shaped like --x")
	batch := fs.Int("batch", 0, fmt.Sprintf("points per device run (default: the most, up to %d, whose memory fits a quarter of the device's)", sampling.DefaultScoreBatch))
	device := fs.String("device", "", "Vulkan device index or name part (default the best)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *xPath == "" || *tPath == "" || *out == "" {
		return usagef("score: --x, --t and --out are required")
	}
	if *weights != sampling.EMAWeights && *weights != sampling.RawWeights {
		return usagef("--weights: %q: want %s or %s", *weights, sampling.EMAWeights, sampling.RawWeights)
	}
	if *batch < 0 {
		return usagef("--batch: %d: want >= 1", *batch)
	}
	if *ckpt == "" && flagsSet(fs)["weights"] {
		return usagef("--weights: only with --checkpoint")
	}
	xShape, x, err := loadArray(*xPath)
	if err != nil {
		return usagef("--x: %v", err)
	}
	tShape, t, err := loadArray(*tPath)
	if err != nil {
		return usagef("--t: %v", err)
	}
	if len(tShape) != 1 || len(xShape) < 2 || xShape[0] != tShape[0] {
		return usagef("score: --x has shape %v and --t %v: want (N, ...) and (N,)", xShape, tShape)
	}
	var c *config.Config
	var m sampling.ScoreModel
	if *ckpt != "" && *cfgPath == "" && *score == "" {
		// One read of the checkpoint, with the weight set asked for.
		if c, m, err = sampling.LoadCheckpointWeights(*ckpt, sets, *weights); err != nil {
			return usagef("--checkpoint: %v", err)
		}
	} else if c, m, err = loadScoreModel("score", *cfgPath, *score, *ckpt, sets); err != nil {
		return err
	}
	s, err := c.NewSDE(0)
	if err != nil {
		return usagef("%s: sde: %v", c.File, err)
	}
	scores, err := sampling.ScoreEval{Device: *device, Batch: *batch}.Eval(m, s, x, t)
	if errors.Is(err, sampling.ErrScoreInput) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	if err := saveArray(*out, xShape, scores); err != nil {
		return err
	}
	var maxAbs float64
	for _, v := range scores {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	fmt.Fprintf(stdout, "score of %s at %d points (%s weights): max |s| %.6g -> %s\n", m.Name, len(t), weightsLabel(m, *weights), maxAbs, *out)
	return nil
}

func weightsLabel(m sampling.ScoreModel, w string) string {
	if !m.IsNet() {
		return "exact"
	}
	return w
}

// loadArray reads a float32 or float64 .npy array of any shape (C order) as
// float32 values, checking the header against the file (data.LoadNPYArray).
func loadArray(path string) ([]int, []float32, error) { return data.LoadNPYArray(path) }

// saveArray writes v as a float32 .npy array of the given shape,
// atomically (data.SaveNPYArray).
func saveArray(path string, shape []int, v []float32) error { return data.SaveNPYArray(path, shape, v) }
