package train

import (
	"math/rand/v2"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/sampling"
)

// EMAModel is the score model of the runner's current EMA weights, for
// sampling during or after training.
func EMAModel(tr Runner, net model.ScoreNet, d int) (sampling.ScoreModel, error) {
	weights, err := tr.EMAParams()
	if err != nil {
		return sampling.ScoreModel{}, err
	}
	return sampling.NetModel("EMA weights", net, weights, d), nil
}

// Quality compares samples with exact points of their data set.
type Quality struct {
	// EnergyDistance is the squared energy distance between the samples and
	// as many fresh exact points; NoiseFloor is its expectation between two
	// exact sets of that size.
	EnergyDistance, NoiseFloor float64
	// ModeWeights are the fractions of samples per mixture component and
	// TrueWeights the components' weights, for mixture data (else nil).
	ModeWeights, TrueWeights []float64
}

// qualityFloorStream seeds the exact sets of Quality's noise floor.
const qualityFloorStream = 0xf100

// MeasureQuality compares the n points x (n*d values) with fresh exact
// samples of ds drawn from seed.
func MeasureQuality(ds data.Dataset, x []float64, seed uint64) (Quality, error) {
	d := ds.Dim()
	n := len(x) / d
	ref := data.ReferencePoints(ds, n, seed) // sdevk eval's, so the two report the same distance
	var q Quality
	var err error
	if q.EnergyDistance, err = data.EnergyDistance(x, ref, d); err != nil {
		return q, err
	}
	q.NoiseFloor = data.ExpectedNoiseFloor(ds, n, n, rand.New(rand.NewPCG(seed, qualityFloorStream)))
	if m, ok := ds.(data.Mixture); ok {
		q.ModeWeights, q.TrueWeights = m.GMM().ModeWeights(x), m.GMM().Weights()
	}
	return q, nil
}
