package sde

import (
	"errors"
	"fmt"
	"math"
)

// ODEFunc writes dy/dt at (t, y) into dy.
type ODEFunc func(t float64, y, dy []float64)

// ODEStats reports the work of an ODE solve.
type ODEStats struct {
	NFE      int // function evaluations (scipy's nfev)
	Steps    int // accepted steps
	Rejected int // rejected steps
}

// RK45Options configures SolveRK45.
type RK45Options struct {
	RTol, ATol float64
	// MaxStep bounds |h|; 0 means no bound.
	MaxStep float64
	// MaxNFE aborts the solve with an error when exceeded; 0 means 1e6.
	MaxNFE int
}

// Dormand-Prince 5(4) tableau, as scipy.integrate.RK45.
var (
	dpC = [6]float64{0, 1. / 5, 3. / 10, 4. / 5, 8. / 9, 1}
	dpA = [6][5]float64{
		{},
		{1. / 5},
		{3. / 40, 9. / 40},
		{44. / 45, -56. / 15, 32. / 9},
		{19372. / 6561, -25360. / 2187, 64448. / 6561, -212. / 729},
		{9017. / 3168, -355. / 33, 46732. / 5247, 49. / 176, -5103. / 18656},
	}
	dpB = [6]float64{35. / 384, 0, 500. / 1113, 125. / 192, -2187. / 6784, 11. / 84}
	dpE = [7]float64{-71. / 57600, 0, 71. / 16695, -71. / 1920, 17253. / 339200, -22. / 525, 1. / 40}
)

const (
	rkSafety    = 0.9
	rkMinFactor = 0.2
	rkMaxFactor = 10.0
	rkErrExp    = -1. / 5 // -1 / (error estimator order 4 + 1)
)

// ErrStepTooSmall is returned when the adaptive step underflows.
var ErrStepTooSmall = errors.New("sde: RK45 step size became too small")

// SolveRK45 integrates y from t0 to t1 (either direction) in place with the
// adaptive Dormand-Prince method, replicating scipy.integrate.solve_ivp's RK45:
// the same initial step selection, error norm (RMS over the whole state
// vector of err / (atol + max(|y|, |y_new|) rtol), so a batch is one system),
// step-size control (safety 0.9, factors in [0.2, 10]) and FSAL, hence the
// same NFE on the same problem up to rounding.
func SolveRK45(f ODEFunc, t0, t1 float64, y []float64, o RK45Options) (ODEStats, error) {
	var st ODEStats
	n := len(y)
	if n == 0 || t0 == t1 {
		return st, nil
	}
	if !(o.RTol > 0) || !(o.ATol > 0) {
		return st, fmt.Errorf("sde: RK45 needs rtol > 0 and atol > 0, got %g, %g", o.RTol, o.ATol)
	}
	maxNFE := o.MaxNFE
	if maxNFE <= 0 {
		maxNFE = 1000000
	}
	maxStep := o.MaxStep
	if maxStep <= 0 {
		maxStep = math.Inf(1)
	}
	dir := 1.0
	if t1 < t0 {
		dir = -1
	}
	eval := func(t float64, yy, dy []float64) { f(t, yy, dy); st.NFE++ }

	var K [7][]float64
	for i := range K {
		K[i] = make([]float64, n)
	}
	fcur := make([]float64, n)
	ynew := make([]float64, n)
	tmp := make([]float64, n)
	eval(t0, y, fcur)

	// Initial step (scipy select_initial_step with the error estimator order 4).
	h := selectInitialStep(eval, t0, y, fcur, dir, math.Abs(t1-t0), maxStep, 4, o.RTol, o.ATol, tmp, ynew, K[1])

	t := t0
	for dir*(t-t1) < 0 {
		if st.NFE > maxNFE {
			return st, fmt.Errorf("sde: RK45 exceeded %d function evaluations at t=%g", maxNFE, t)
		}
		minStep := 10 * math.Abs(math.Nextafter(t, dir*math.Inf(1))-t)
		hAbs := h
		if hAbs > maxStep {
			hAbs = maxStep
		} else if hAbs < minStep {
			hAbs = minStep
		}
		rejected := false
		for {
			if hAbs < minStep {
				return st, ErrStepTooSmall
			}
			hh := hAbs * dir
			tnew := t + hh
			if dir*(tnew-t1) > 0 {
				tnew = t1
			}
			hh = tnew - t
			hAbs = math.Abs(hh)

			copy(K[0], fcur)
			for s := 1; s < 6; s++ {
				for i := 0; i < n; i++ {
					acc := 0.0
					for j := 0; j < s; j++ {
						acc += dpA[s][j] * K[j][i]
					}
					tmp[i] = y[i] + hh*acc
				}
				eval(t+dpC[s]*hh, tmp, K[s])
			}
			for i := 0; i < n; i++ {
				acc := 0.0
				for j := 0; j < 6; j++ {
					acc += dpB[j] * K[j][i]
				}
				ynew[i] = y[i] + hh*acc
			}
			eval(tnew, ynew, K[6])

			// error norm
			ss := 0.0
			for i := 0; i < n; i++ {
				e := 0.0
				for j := 0; j < 7; j++ {
					e += dpE[j] * K[j][i]
				}
				e *= hh
				sc := o.ATol + math.Max(math.Abs(y[i]), math.Abs(ynew[i]))*o.RTol
				r := e / sc
				ss += r * r
			}
			errNorm := math.Sqrt(ss / float64(n))
			if math.IsNaN(errNorm) {
				return st, fmt.Errorf("sde: RK45 error norm is NaN at t=%g (non-finite drift?)", t)
			}
			if errNorm < 1 {
				factor := rkMaxFactor
				if errNorm > 0 {
					factor = math.Min(rkMaxFactor, rkSafety*math.Pow(errNorm, rkErrExp))
				}
				if rejected {
					factor = math.Min(1, factor)
				}
				hAbs *= factor
				t = tnew
				copy(y, ynew)
				copy(fcur, K[6])
				st.Steps++
				break
			}
			hAbs *= math.Max(rkMinFactor, rkSafety*math.Pow(errNorm, rkErrExp))
			rejected = true
			st.Rejected++
		}
		h = hAbs
	}
	return st, nil
}

func selectInitialStep(eval func(float64, []float64, []float64), t0 float64, y0, f0 []float64, dir, interval, maxStep float64, order int, rtol, atol float64, scratch, y1, f1 []float64) float64 {
	for i := range y0 {
		scratch[i] = atol + math.Abs(y0[i])*rtol
	}
	var s0, s1 float64
	for i := range y0 {
		a := y0[i] / scratch[i]
		b := f0[i] / scratch[i]
		s0 += a * a
		s1 += b * b
	}
	nn := float64(len(y0))
	d0, d1 := math.Sqrt(s0/nn), math.Sqrt(s1/nn)
	var h0 float64
	if d0 < 1e-5 || d1 < 1e-5 {
		h0 = 1e-6
	} else {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, interval)
	for i := range y0 {
		y1[i] = y0[i] + h0*dir*f0[i]
	}
	eval(t0+h0*dir, y1, f1)
	s2 := 0.0
	for i := range y0 {
		a := (f1[i] - f0[i]) / scratch[i]
		s2 += a * a
	}
	d2 := math.Sqrt(s2/nn) / h0
	var h1 float64
	if d1 <= 1e-15 && d2 <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/math.Max(d1, d2), 1/float64(order+1))
	}
	return math.Min(math.Min(100*h0, h1), math.Min(interval, maxStep))
}
