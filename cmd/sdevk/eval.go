package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/sdevk/sdevk/data"
)

func init() {
	register("eval", "sample quality against the config's data: energy distance and MMD vs the exact noise floor, mixture mode weights", runEval)
}

// evalReport is the JSON written by `sdevk eval --out`.
type evalReport struct {
	Config  string `json:"config"`
	Samples string `json:"samples"`
	Data    string `json:"data"`
	N       int    `json:"n"`
	Dim     int    `json:"dim"`
	Seed    uint64 `json:"seed"`
	// EnergyDistance is the squared energy distance (V-statistic) between
	// the samples and N fresh exact points.
	EnergyDistance float64 `json:"energy_distance"`
	// NoiseFloor is the energy distance between two independent exact sets
	// of N points, over Reps repetitions.
	NoiseFloor       float64   `json:"noise_floor"`
	NoiseFloorStd    float64   `json:"noise_floor_std"`
	NoiseFloorValues []float64 `json:"noise_floor_values"`
	// ExpectedNoiseFloor is E|X-X'| (2/N), the floor without repetition noise.
	ExpectedNoiseFloor float64 `json:"expected_noise_floor"`
	// Ratio is EnergyDistance / NoiseFloor.
	Ratio float64 `json:"ratio"`
	Reps  int     `json:"reps"`
	// MMD2 is the unbiased squared MMD (Gaussian kernel, bandwidth MMDBandwidth,
	// the median heuristic) between the samples and the same exact points.
	MMD2         float64 `json:"mmd2"`
	MMDBandwidth float64 `json:"mmd_bandwidth"`
	// MMD2Floor is the mean (and std) of MMD2 between the exact pairs of the
	// noise floor at the same bandwidth; its expectation is 0.
	MMD2Floor    float64 `json:"mmd2_floor"`
	MMD2FloorStd float64 `json:"mmd2_floor_std"`
	// Modes holds, for mixture data, each component's weight and the
	// fraction of samples (and of the exact points) assigned to it.
	Modes          []evalMode `json:"modes,omitempty"`
	MaxWeightError *float64   `json:"max_weight_error,omitempty"`
}

type evalMode struct {
	Mean              []float64 `json:"mean"`
	Weight            float64   `json:"weight"`
	SampleWeight      float64   `json:"sample_weight"`
	ExactSampleWeight float64   `json:"exact_sample_weight"`
}

func runEval(args []string, stdout io.Writer) error {
	fs := newFlags("eval")
	cfgPath := fs.String("config", "", "TOML config whose data the samples are judged against")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	samples := fs.String("samples", "", ".npy file of samples, shape (N, D)")
	out := fs.String("out", "", "write the JSON report here")
	seed := fs.Uint64("seed", 0, "seed of the exact reference points (default the config's seed)")
	reps := fs.Int("reps", 5, "repetitions of the exact-vs-exact noise floor")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
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
	d := ds.Dim()
	n := pts.N
	if n < 2 {
		return usagef("--samples %s: need at least 2 points, got %d", *samples, n)
	}
	r := rand.New(rand.NewPCG(*seed, 0xe7a1))
	ref := ds.Sample(n, r)
	rep := evalReport{Config: c.File, Samples: *samples, Data: ds.Name(), N: n, Dim: d, Seed: *seed, Reps: *reps}
	if rep.EnergyDistance, err = data.EnergyDistance(pts.X, ref, d); err != nil {
		return err
	}
	if rep.MMD2, rep.MMDBandwidth, err = data.MMD(pts.X, ref, d, 0); err != nil {
		return err
	}
	var eds, mmds []float64
	for i := 0; i < *reps; i++ {
		a, b := ds.Sample(n, r), ds.Sample(n, r)
		e, err := data.EnergyDistance(a, b, d)
		if err != nil {
			return err
		}
		m, _, err := data.MMD(a, b, d, rep.MMDBandwidth)
		if err != nil {
			return err
		}
		eds, mmds = append(eds, e), append(mmds, m)
	}
	rep.NoiseFloorValues = eds
	rep.NoiseFloor, rep.NoiseFloorStd = meanStd(eds)
	rep.MMD2Floor, rep.MMD2FloorStd = meanStd(mmds)
	rep.ExpectedNoiseFloor = data.ExpectedNoiseFloor(ds, n, n, r)
	rep.Ratio = rep.EnergyDistance / rep.NoiseFloor

	fmt.Fprintf(stdout, "%d samples (%d-D) from %s against %d exact points of %s\n", n, d, *samples, n, ds.Name())
	fmt.Fprintf(stdout, "energy distance %.4g; exact-vs-exact noise floor %.4g +- %.2g (%d reps, expected %.4g); ratio %.3g\n",
		rep.EnergyDistance, rep.NoiseFloor, rep.NoiseFloorStd, *reps, rep.ExpectedNoiseFloor, rep.Ratio)
	fmt.Fprintf(stdout, "MMD^2 %.4g (bandwidth %.3g); exact-vs-exact %.2g +- %.2g\n", rep.MMD2, rep.MMDBandwidth, rep.MMD2Floor, rep.MMD2FloorStd)
	if m, ok := ds.(data.Mixture); ok {
		g := m.GMM()
		sw, ew := g.ModeWeights(pts.X), g.ModeWeights(ref)
		for k := 0; k < g.K(); k++ {
			rep.Modes = append(rep.Modes, evalMode{Mean: g.Mean(k), Weight: g.Weight(k), SampleWeight: sw[k], ExactSampleWeight: ew[k]})
		}
		mwe := g.MaxWeightError(pts.X)
		rep.MaxWeightError = &mwe
		fmt.Fprintf(stdout, "mode weights %s (target %s, exact samples %s); max weight error %.3g\n",
			fmtWeights(sw), fmtWeights(g.Weights()), fmtWeights(ew), mwe)
	}
	if *out != "" {
		if err := writeJSON(*out, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	return nil
}

func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x / float64(len(v))
	}
	if len(v) > 1 {
		for _, x := range v {
			std += (x - mean) * (x - mean)
		}
		std = math.Sqrt(std / float64(len(v)-1))
	}
	return mean, std
}

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
