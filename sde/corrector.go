package sde

import (
	"fmt"
	"math"
	"strings"
)

// Corrector selects the corrector update of the PC sampler.
type Corrector int

// Correctors of score_sde.
const (
	CorrectorNone Corrector = iota
	LangevinCorrector
	AnnealedLangevinCorrector
)

func (c Corrector) String() string {
	switch c {
	case CorrectorNone:
		return "none"
	case LangevinCorrector:
		return "langevin"
	case AnnealedLangevinCorrector:
		return "ald"
	}
	return fmt.Sprintf("Corrector(%d)", int(c))
}

// CorrectorNames lists the accepted corrector names.
var CorrectorNames = []string{"none", "langevin", "ald"}

// ParseCorrector accepts "none", "langevin", "ald" (also "annealed_langevin").
func ParseCorrector(s string) (Corrector, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "":
		return CorrectorNone, nil
	case "langevin":
		return LangevinCorrector, nil
	case "ald", "annealed_langevin", "annealed-langevin":
		return AnnealedLangevinCorrector, nil
	}
	return 0, fmt.Errorf("sde: unknown corrector %q (want one of %s)", s, strings.Join(CorrectorNames, ", "))
}

// CorrectorAlpha is score_sde's alpha: the discrete alpha_i = 1 - beta_i at
// t's index for VP and sub-VP, 1 for VE.
func CorrectorAlpha(s SDE, t float64) float64 {
	switch v := s.(type) {
	case *VP:
		return v.Alpha(t)
	case *SubVP:
		return v.Alpha(t)
	}
	return 1
}

// LangevinStepSize is the Langevin corrector's step 2 alpha (r |z| / |s|)^2,
// the norms being per-point L2 norms averaged over the batch of len(score)/d
// points.
func LangevinStepSize(snr, alpha float64, score, z []float64, d int) float64 {
	n := len(score) / d
	var gn, zn float64
	for i := 0; i < n; i++ {
		var a, b float64
		for j := i * d; j < (i+1)*d; j++ {
			a += score[j] * score[j]
			b += z[j] * z[j]
		}
		gn += math.Sqrt(a)
		zn += math.Sqrt(b)
	}
	gn /= float64(n)
	zn /= float64(n)
	r := snr * zn / gn
	return 2 * alpha * r * r
}

// AnnealedLangevinStepSize is the "ald" corrector's step 2 alpha (r std(t))^2.
func AnnealedLangevinStepSize(s SDE, snr, t float64) float64 {
	_, std := s.Marginal(t)
	r := snr * std
	return 2 * CorrectorAlpha(s, t) * r * r
}

// CorrectorStep applies one corrector update at time t in place on x, with
// score = s(x, t) and standard normal z given: x_mean = x + e s;
// x = x_mean + sqrt(2 e) z, e from LangevinStepSize or
// AnnealedLangevinStepSize. It returns the step size e.
func CorrectorStep(c Corrector, s SDE, x, xMean, score, z []float64, d int, t, snr float64) (float64, error) {
	var e float64
	switch c {
	case CorrectorNone:
		copy(xMean, x)
		return 0, nil
	case LangevinCorrector:
		e = LangevinStepSize(snr, CorrectorAlpha(s, t), score, z, d)
	case AnnealedLangevinCorrector:
		e = AnnealedLangevinStepSize(s, snr, t)
	default:
		return 0, fmt.Errorf("sde: unknown corrector %v", c)
	}
	if math.IsNaN(e) || math.IsInf(e, 0) {
		return e, fmt.Errorf("sde: corrector step size is %v at t=%g (zero score norm?)", e, t)
	}
	sq := math.Sqrt(2 * e)
	for i := range x {
		xMean[i] = x[i] + e*score[i]
		x[i] = xMean[i] + sq*z[i]
	}
	return e, nil
}
