package sde

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sdevk/sdevk/graph/rng"
)

// Constraint is what a conditional PC run (PCInpaint) holds to the data
// after every step: inpainting's known coordinates (Known), colourisation's
// grey level (Grey).
type Constraint interface {
	// Check says whether the constraint fits n points of dimension d and
	// leaves something to sample.
	Check(n, d int) error
	// Replace sets the constrained part of x (rows of d) to the
	// forward-perturbed data m a + s z, with z drawn per element of x.
	Replace(x []float64, m, s float64, z []float64)
	// Batch is the constraint of points first .. first+n-1 (of dimension d).
	Batch(first, n, d int) Constraint
}

// Known is what inpainting holds fixed: element i of the batch is known
// when Mask[i mod len(Mask)] is set, with the data value Value[i mod
// len(Value)]. Each is either one point's D values, shared by every point,
// or N*D values, one row per point (images, each with its own data and
// perhaps its own mask).
type Known struct {
	Mask  []bool
	Value []float64
}

// Check says whether k fits n points of dimension d (one row for all, or
// one per point) and leaves something to sample.
func (k Known) Check(n, d int) error {
	for _, c := range []struct {
		what string
		l    int
	}{{"known coordinates", len(k.Mask)}, {"known values", len(k.Value)}} {
		if c.l != d && c.l != n*d {
			if c.l%d == 0 {
				return fmt.Errorf("%s for %d points, the batch has %d", c.what, c.l/d, n)
			}
			return fmt.Errorf("%s for dimension %d, the data has %d", c.what, c.l, d)
		}
	}
	for _, m := range k.Mask {
		if !m {
			return nil
		}
	}
	return fmt.Errorf("every coordinate is known: nothing to sample")
}

// Replace is score_sde's inpainting projection: the known elements of x
// become the forward-perturbed data m a + s z, with z the element of the
// same index in a full-batch draw (so the device, which draws z per
// element, uses the same numbers); the others are kept.
func (k Known) Replace(x []float64, m, s float64, z []float64) {
	for i := range x {
		if k.Mask[i%len(k.Mask)] {
			x[i] = m*k.Value[i%len(k.Value)] + s*z[i]
		}
	}
}

// Batch is k for points first .. first+n-1: rows of one per point are cut,
// a shared row is kept.
func (k Known) Batch(first, n, d int) Constraint {
	return Known{Mask: rows(k.Mask, first, n, d), Value: rows(k.Value, first, n, d)}
}

// rows cuts points first .. first+n-1 out of v when it holds a row per
// point, and returns a single shared row (or rows that do not cover the
// batch, for Check to report) as it is.
func rows[T any](v []T, first, n, d int) []T {
	if len(v) == d || len(v) < (first+n)*d {
		return v
	}
	return v[first*d : (first+n)*d]
}

// StreamInpaint is the Philox stream of inpainting's replacement after the
// predictor; the replacement after the k-th corrector step uses
// StreamInpaint + 1 + k. Each takes Philox step i at the i-th time.
const StreamInpaint uint32 = 0x1a9a1

// PCInpaint is score_sde's get_pc_inpainter (and, with a Grey constraint,
// its get_pc_colorizer): from x (the prior draw, N*D values) it sets the
// constrained part to the data, then at each time t of
// linspace(T, eps, N) takes NStepsEach corrector steps and a predictor step,
// each followed by the replacement of the known coordinates with a fresh
// draw of the forward marginal at t, m(t) a + s(t) z. As in score_sde every
// replacement uses the step's own t. The output holds the data itself at
// the known coordinates (score_sde's keeps m(eps) a there). The noise is
// drawn as the device draws it: rng.Normal with the seed, the stream of
// each use (rng.StreamPredictor, rng.StreamCorrector + k, StreamInpaint...)
// and Philox step i.
func PCInpaint(s SDE, x []float64, d int, score ScoreFunc, seed uint64, o PCOptions, k Constraint) (nfe int, err error) {
	if o.Predictor == PredictorNone {
		return 0, fmt.Errorf("sde: inpainting takes a predictor")
	}
	if len(x)%d != 0 {
		return 0, fmt.Errorf("sde: batch of %d values is not a whole number of %d-dim points", len(x), d)
	}
	if err := k.Check(len(x)/d, d); err != nil {
		return 0, err
	}
	if o.Corrector != CorrectorNone && o.NStepsEach < 1 {
		return 0, fmt.Errorf("sde: corrector %v needs n_steps_each >= 1, got %d", o.Corrector, o.NStepsEach)
	}
	if err := CheckDiscreteChain(s, o); err != nil {
		return 0, err
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	n := len(x)
	xMean, sc, z := make([]float64, n), make([]float64, n), make([]float64, n)
	draw := func(stream uint32, step int) { rng.Normal(z, rng.Key{Seed: seed, Stream: stream, Step: uint32(step)}) }
	k.Replace(x, 1, 0, z)
	dt := -s.T() / float64(s.N())
	for i, t := range Linspace(s.T(), eps, s.N()) {
		m, std := s.Marginal(t)
		for c := 0; o.Corrector != CorrectorNone && c < o.NStepsEach; c++ {
			score(x, t, sc)
			nfe++
			draw(rng.StreamCorrector+uint32(c), i)
			if err := correct(o, s, x, xMean, sc, z, d, t); err != nil {
				return nfe, err
			}
			draw(StreamInpaint+1+uint32(c), i)
			k.Replace(x, m, std, z)
		}
		score(x, t, sc)
		nfe++
		if o.ProbabilityFlow {
			clear(z)
		} else {
			draw(rng.StreamPredictor, i)
		}
		if err := PredictorStep(o.Predictor, s, x, xMean, sc, z, t, dt, o.ProbabilityFlow); err != nil {
			return nfe, err
		}
		draw(StreamInpaint, i)
		k.Replace(x, m, std, z)
	}
	if o.Denoise {
		copy(x, xMean)
	}
	k.Replace(x, 1, 0, z)
	return nfe, nil
}

// ParseKnown reads known coordinates written "0=1.5,3=-2" (0-based
// coordinate = value) for points of dimension d.
func ParseKnown(spec string, d int) (Known, error) {
	k := Known{Mask: make([]bool, d), Value: make([]float64, d)}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		j, v, ok := strings.Cut(item, "=")
		if !ok {
			return k, fmt.Errorf("%q is not coordinate=value", item)
		}
		idx, err := strconv.Atoi(strings.TrimSpace(j))
		if err != nil || idx < 0 || idx >= d {
			return k, fmt.Errorf("coordinate %q is not one of 0..%d", j, d-1)
		}
		val, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(val) || math.IsInf(val, 0) {
			return k, fmt.Errorf("value %q of coordinate %d is not a finite number", v, idx)
		}
		if k.Mask[idx] {
			return k, fmt.Errorf("coordinate %d is given twice", idx)
		}
		k.Mask[idx], k.Value[idx] = true, val
	}
	return k, k.Check(1, d)
}
