package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk/kernels"
)

// ALDRows is the coefficient table of NCSN's annealed Langevin dynamics
// (sde.AnnealedLangevin): StepsEach rows per noise level sigma_i with the
// update of sde.LangevinStep at alpha_i = eps sigma_i^2 / sigma_L^2, and a
// final noise-free x + sigma_L^2 s with Denoise. timeOf maps a noise level to
// the score model's time input (ve.TimeOfSigma for a time-conditioned VE
// model); the rows carry m = 1 and std = sigma_i for oracle scores.
func ALDRows(o sde.ALDOptions, timeOf func(sigma float64) float64) ([]Row, error) {
	L := len(o.Sigmas)
	if L == 0 || o.StepsEach < 1 || !(o.Eps > 0) {
		return nil, fmt.Errorf("sampling: annealed Langevin needs sigmas, steps_each >= 1 and eps > 0")
	}
	sL := o.Sigmas[L-1]
	var rows []Row
	for _, sig := range o.Sigmas {
		a := o.Eps * sig * sig / (sL * sL)
		c, err := affine(func(x, s, z []float64) error { sde.LangevinStep(x, s, z, a); return nil })
		if err != nil {
			return nil, err
		}
		for k := 0; k < o.StepsEach; k++ {
			rows = append(rows, Row{T: timeOf(sig), Mean: 1, Std: sig, Pred: c})
		}
	}
	if o.Denoise {
		rows = append(rows, Row{T: timeOf(sL), Mean: 1, Std: sL, Pred: [4]float64{1, sL * sL, 0, 0}})
	}
	return rows, nil
}

// NewRows prepares a sampler that runs the given rows, one score evaluation
// and one update each (the update in the rows' predictor columns), from the
// prior N(0, priorStd^2 I). Annealed and plain Langevin dynamics and
// fixed-step probability-flow Euler are such samplers.
func NewRows(lib *kernels.Lib, score Score, b, d int, rows []Row, priorStd float64, o PCOptions, seed uint64) (*PCSampler, error) {
	smp, err := newSampler(lib, score, b, d, rows, priorStd, seed)
	if err != nil {
		return nil, err
	}
	if o.Chunk <= 0 {
		o.Chunk = 50
	}
	o.Predictor, o.Corrector = sde.EulerMaruyama, sde.CorrectorNone // one evaluation + update per row
	return &PCSampler{Sampler: smp, opts: o}, nil
}
