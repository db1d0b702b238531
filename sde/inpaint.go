package sde

import "fmt"

// Known is what point inpainting holds fixed: coordinate j of every point is
// known when Mask[j] is set, with the data value Value[j] (both of length D).
type Known struct {
	Mask  []bool
	Value []float64
}

// Check says whether k fits points of dimension d and leaves something to
// sample.
func (k Known) Check(d int) error {
	if len(k.Mask) != d || len(k.Value) != d {
		return fmt.Errorf("known coordinates for dimension %d, the data has %d", len(k.Mask), d)
	}
	for _, m := range k.Mask {
		if !m {
			return nil
		}
	}
	return fmt.Errorf("every coordinate is known: nothing to sample")
}

// Replace is score_sde's inpainting projection: the known coordinates of x
// (rows of D) become the forward-perturbed data m a + s z, with z the
// element of the same index in a full-batch draw (so the device, which
// draws z per element, uses the same numbers); the others are kept.
func (k Known) Replace(x []float64, m, s float64, z []float64) {
	d := len(k.Mask)
	for i := range x {
		if j := i % d; k.Mask[j] {
			x[i] = m*k.Value[j] + s*z[i]
		}
	}
}

// PCInpaint is score_sde's get_pc_inpainter without a corrector: from x
// (the prior draw, N*D values) it sets the known coordinates to the data,
// then at each time t of linspace(T, eps, N) takes a predictor step and
// replaces the known coordinates with a fresh draw of the forward marginal
// at t, m(t) a + s(t) z (z from replace, one call per step). As in score_sde
// the replacement uses the step's own t. The output holds the data itself at
// the known coordinates (score_sde's keeps m(eps) a there).
func PCInpaint(s SDE, x []float64, d int, score ScoreFunc, normal, replace Normal, o PCOptions, k Known) (nfe int, err error) {
	if err := k.Check(d); err != nil {
		return 0, err
	}
	if o.Corrector != CorrectorNone || o.Predictor == PredictorNone {
		return 0, fmt.Errorf("sde: inpainting takes a predictor and no corrector")
	}
	if len(x)%d != 0 {
		return 0, fmt.Errorf("sde: batch of %d values is not a whole number of %d-dim points", len(x), d)
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	n := len(x)
	xMean, sc, z := make([]float64, n), make([]float64, n), make([]float64, n)
	k.Replace(x, 1, 0, z)
	dt := -s.T() / float64(s.N())
	for _, t := range Linspace(s.T(), eps, s.N()) {
		score(x, t, sc)
		nfe++
		if o.ProbabilityFlow {
			clear(z)
		} else {
			normal(z)
		}
		if err := PredictorStep(o.Predictor, s, x, xMean, sc, z, t, dt, o.ProbabilityFlow); err != nil {
			return nfe, err
		}
		m, std := s.Marginal(t)
		replace(z)
		k.Replace(x, m, std, z)
	}
	if o.Denoise {
		copy(x, xMean)
	}
	k.Replace(x, 1, 0, z)
	return nfe, nil
}
