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
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
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

// scoreSource says where the score comes from. Today that is the analytic
// oracle of a Gaussian-mixture config (--score oracle); a checkpoint's
// network comes next to it.
type scoreSource struct {
	Name string    // "oracle" or the checkpoint's path
	GMM  *data.GMM // the mixture, for the oracle
	// Net and Weights are a checkpoint's network and its (EMA) weights, for
	// data of dimension Dim.
	Net     model.ScoreNet
	Weights map[string][]float32
	Dim     int
}

// timeScore is the time-conditioned score s(x, t) under s's marginals.
func (src scoreSource) timeScore(s sde.SDE) sde.ScoreFunc {
	if src.Net != nil {
		return refNetScore(src)
	}
	return src.oracle(s).Score
}

// oracle is the analytic score, divergence and JVP of the mixture under s.
func (src scoreSource) oracle(s sde.SDE) data.Oracle { return data.NewOracle(src.GMM, s) }

// sigmaScore is the noise-level-conditioned score s(x, sigma) of the data
// convolved with N(0, sigma^2 I), for annealed and plain Langevin.
func (src scoreSource) sigmaScore() sde.ScoreFunc {
	return data.NewOracle(src.GMM, data.SigmaMarginal{}).Score
}

// resolveScore checks --score / --checkpoint and builds the score source.
func resolveScore(cmd, score, checkpoint string, c *config.Config) (scoreSource, error) {
	if checkpoint != "" {
		return scoreSource{}, usagef("--checkpoint %s: %s from a checkpoint is not available yet in this build (it comes with sdevk train); use --config FILE --score oracle", checkpoint, cmd)
	}
	switch score {
	case "oracle":
	case "":
		return scoreSource{}, usagef("%s: need --score oracle (learned scores come with --checkpoint, not available yet)", cmd)
	default:
		return scoreSource{}, usagef("--score: unknown score %q (want oracle)", score)
	}
	g, err := c.GMM()
	if err != nil {
		return scoreSource{}, usagef("--score oracle: %s: data.kind %q is not a Gaussian mixture, so it has no analytic score (use gmm, 8gaussians, 25gaussians or ncsn_toy)", c.File, c.Data.Kind)
	}
	return scoreSource{Name: "oracle", GMM: g}, nil
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

// errInterrupted is returned by backends whose context was cancelled.
var errInterrupted = errors.New("interrupted")
