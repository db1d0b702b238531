package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// evalStream is the PCG stream of the exact reference points of Evaluate.
const evalStream = 0xe7a1

// referenceRand draws Evaluate's exact reference points (and, after them,
// its noise-floor pairs).
func referenceRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, evalStream)) }

// ReferencePoints are the n exact points of ds that Evaluate compares n
// samples with, for seed: callers that report an energy distance use them
// so that their figure is sdevk eval's.
func ReferencePoints(ds Dataset, n int, seed uint64) []float64 {
	return ds.Sample(n, referenceRand(seed))
}

// Evaluation compares samples with fresh exact points of their data set.
// It is what `sdevk eval` prints and writes as JSON.
type Evaluation struct {
	Data string `json:"data"`
	N    int    `json:"n"`
	Dim  int    `json:"dim"`
	Seed uint64 `json:"seed"`
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
	Modes          []EvalMode `json:"modes,omitempty"`
	MaxWeightError *float64   `json:"max_weight_error,omitempty"`
}

// EvalMode is one mixture component's share of the samples.
type EvalMode struct {
	Mean              []float64 `json:"mean"`
	Weight            float64   `json:"weight"`
	SampleWeight      float64   `json:"sample_weight"`
	ExactSampleWeight float64   `json:"exact_sample_weight"`
}

// Evaluate compares the points x (row-major, ds.Dim() columns) with as many
// fresh exact points of ds drawn from seed, and measures the exact-vs-exact
// noise floor over reps independent pairs, so that a ratio near 1 means the
// samples cannot be told from exact ones at this size.
func Evaluate(ds Dataset, x []float64, seed uint64, reps int) (*Evaluation, error) {
	d := ds.Dim()
	if d < 1 || len(x)%d != 0 {
		return nil, fmt.Errorf("evaluate: %d values are not rows of %d", len(x), d)
	}
	n := len(x) / d
	if n < 2 {
		return nil, fmt.Errorf("evaluate: need at least 2 points, got %d", n)
	}
	if reps < 1 {
		return nil, fmt.Errorf("evaluate: reps must be >= 1, got %d", reps)
	}
	r := referenceRand(seed)
	ref := ds.Sample(n, r)
	e := &Evaluation{Data: ds.Name(), N: n, Dim: d, Seed: seed, Reps: reps}
	var err error
	if e.EnergyDistance, err = EnergyDistance(x, ref, d); err != nil {
		return nil, err
	}
	if e.MMD2, e.MMDBandwidth, err = MMD(x, ref, d, 0); err != nil {
		return nil, err
	}
	var eds, mmds []float64
	for i := 0; i < reps; i++ {
		a, b := ds.Sample(n, r), ds.Sample(n, r)
		ed, err := EnergyDistance(a, b, d)
		if err != nil {
			return nil, err
		}
		m, _, err := MMD(a, b, d, e.MMDBandwidth)
		if err != nil {
			return nil, err
		}
		eds, mmds = append(eds, ed), append(mmds, m)
	}
	e.NoiseFloorValues = eds
	e.NoiseFloor, e.NoiseFloorStd = meanStd(eds)
	e.MMD2Floor, e.MMD2FloorStd = meanStd(mmds)
	e.ExpectedNoiseFloor = ExpectedNoiseFloor(ds, n, n, r)
	e.Ratio = e.EnergyDistance / e.NoiseFloor
	if m, ok := ds.(Mixture); ok {
		g := m.GMM()
		sw, ew := g.ModeWeights(x), g.ModeWeights(ref)
		for k := 0; k < g.K(); k++ {
			e.Modes = append(e.Modes, EvalMode{Mean: g.Mean(k), Weight: g.Weight(k), SampleWeight: sw[k], ExactSampleWeight: ew[k]})
		}
		mwe := g.MaxWeightError(x)
		e.MaxWeightError = &mwe
	}
	return e, nil
}

// meanStd is the mean and the sample standard deviation of v.
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
