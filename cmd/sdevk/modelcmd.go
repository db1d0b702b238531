package main

// Shared plumbing of the score-model commands (sample, likelihood, eval,
// plot): config loading with --set, the score source, the data dimension
// check, doctor warnings, and atomic output files.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/vk"
)

// cmdStderr receives warnings (config doctor) of the score-model commands.
// The command registry hands commands stdout only; tests swap this.
var cmdStderr io.Writer = os.Stderr

// setList is a repeatable --set section.key=value flag.
type setList []string

func (s *setList) String() string { return strings.Join(*s, " ") }
func (s *setList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// loadConfig reads --config with the --set overrides; every problem is a
// one-line usage error naming the file, line and key.
func loadConfig(path string, sets []string) (*config.Config, error) {
	if path == "" {
		return nil, usagef("--config: a config file is required (see configs/)")
	}
	c, err := config.Load(path, sets)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}

// configDataset builds the config's data set, as a usage error naming the
// key when it cannot be built.
func configDataset(c *config.Config) (data.Dataset, error) {
	ds, err := c.Dataset()
	if err != nil {
		return nil, usagef("%s: data: %v", c.File, err)
	}
	return ds, nil
}

// loadScoreModel resolves the score of a sampling or likelihood command:
// --checkpoint PATH (the run's config, saved in the checkpoint, with the
// --set overrides, and the network's EMA weights) or --config FILE --score
// oracle.
func loadScoreModel(cmd, cfgPath, score, ckpt string, sets []string) (*config.Config, sampling.ScoreModel, error) {
	if ckpt == "" {
		c, err := loadConfig(cfgPath, sets)
		if err != nil {
			return nil, sampling.ScoreModel{}, err
		}
		src, err := resolveScore(cmd, score, c)
		return c, src, err
	}
	if cfgPath != "" || score != "" {
		return nil, sampling.ScoreModel{}, usagef("%s: give either --checkpoint or --config with --score, not both", cmd)
	}
	c, src, err := sampling.LoadCheckpoint(ckpt, sets)
	if err != nil {
		return nil, sampling.ScoreModel{}, usagef("--checkpoint: %v", err)
	}
	return c, src, nil
}

// resolveScore checks --score and builds the oracle of the config's mixture.
func resolveScore(cmd, score string, c *config.Config) (sampling.ScoreModel, error) {
	switch score {
	case "oracle":
	case "":
		return sampling.ScoreModel{}, usagef("%s: need --score oracle, or --checkpoint of a training run", cmd)
	default:
		return sampling.ScoreModel{}, usagef("--score: unknown score %q (want oracle)", score)
	}
	g, err := c.GMM()
	if err != nil {
		return sampling.ScoreModel{}, usagef("--score oracle: %s: data.kind %q is not a Gaussian mixture, so it has no analytic score (use gmm, 8gaussians, 25gaussians or ncsn_toy)", c.File, c.Data.Kind)
	}
	return sampling.OracleModel(g), nil
}

// backendErr turns a backend's answer to a request it cannot serve (a
// device that does not exist, a combination it does not run) into a usage
// error; other errors pass as they are.
func backendErr(err error) error {
	var re *sampling.RequestError
	switch {
	case errors.Is(err, vk.ErrNoSuchDevice):
		return usagef("--device: %v", err)
	case errors.As(err, &re):
		return usagef("%v", err)
	}
	return err
}

// loadPoints reads an (N, D) .npy file and checks D against the config's
// data. flag names the flag in errors.
func loadPoints(flag, path string, d int, c *config.Config) (*data.Points, error) {
	if path == "" {
		return nil, usagef("%s: a .npy file of points is required", flag)
	}
	p, err := data.LoadNPY(path)
	if err != nil {
		return nil, usagef("%s %v", flag, err)
	}
	if p.D != d {
		return nil, usagef("%s %s: points have shape (%d, %d), but the config's data (%s in %s) is %d-dimensional", flag, path, p.N, p.D, c.Data.Kind, c.File, d)
	}
	return p, nil
}

// pointsOfConfig checks the --out path, then builds the config's data set
// and loads the points file (flag names it) against its dimension.
func pointsOfConfig(c *config.Config, flag, path, out string) (data.Dataset, *data.Points, error) {
	if err := checkOutPath("--out", out); err != nil {
		return nil, nil, err
	}
	ds, err := configDataset(c)
	if err != nil {
		return nil, nil, err
	}
	pts, err := loadPoints(flag, path, ds.Dim(), c)
	return ds, pts, err
}

// checkOutPath fails early, before any work, when an output cannot be
// written: its directory is missing or it names a directory.
func checkOutPath(flag, path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("%s %s: is a directory", flag, path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return usagef("%s %s: directory %s does not exist", flag, path, dir)
	}
	if !st.IsDir() {
		return usagef("%s %s: %s is not a directory", flag, path, dir)
	}
	return nil
}

// printDoctor runs the config doctor once and prints its warnings, with
// their numbers, to cmdStderr. A doctor failure is itself only a warning.
// It returns the warnings' lines.
func printDoctor(c *config.Config, ds data.Dataset, seed uint64) []string {
	ws, err := config.Doctor(c, ds, rand.New(rand.NewPCG(seed, 0xd0c)))
	if err != nil {
		fmt.Fprintf(cmdStderr, "sdevk: warning: config doctor: %v\n", err)
		return []string{"config doctor: " + err.Error()}
	}
	var lines []string
	for _, w := range ws {
		l := fmt.Sprintf("%s: %s", c.File, w)
		fmt.Fprintf(cmdStderr, "sdevk: warning: %s\n", l)
		lines = append(lines, l)
	}
	return lines
}

// flagsSet returns the names of the flags given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
