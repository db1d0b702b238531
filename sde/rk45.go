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

// RKVectors is the vector arithmetic of an RK45 solve over numbered slots
// (RKSlots of them, each the length of the state), so that one step-size
// control (SolveRK45On) drives host slices and device buffers alike.
type RKVectors interface {
	// Eval writes f(t, v[y]) into v[dst].
	Eval(t float64, y, dst int) error
	// Combine writes v[dst] = v[base] + h sum_j c[j] v[src[j]]; base < 0
	// means no base term. dst may equal base but no src.
	Combine(dst, base int, h float64, c []float64, src []int) error
	// WeightedRMS is sqrt(mean_i (v[e]_i / (atol + rtol max(|v[a]_i|, |v[b]_i|)))^2)
	// over the state's elements.
	WeightedRMS(e, a, b int, rtol, atol float64) (float64, error)
	// Copy writes v[dst] = v[src].
	Copy(dst, src int) error
}

// The slots SolveRK45On uses: the state, the seven stages, f at the
// current point, the proposed state, and two scratch vectors.
const (
	RKY     = 0
	RKK0    = 1 // K[j] is slot RKK0 + j, j < 7
	RKF     = 8
	RKYNew  = 9
	RKTmp   = 10
	RKErr   = 11
	RKSlots = 12
)

// SolveRK45 integrates y from t0 to t1 (either direction) in place with the
// adaptive Dormand-Prince method, replicating scipy.integrate.solve_ivp's RK45:
// the same initial step selection, error norm (RMS over the whole state
// vector of err / (atol + max(|y|, |y_new|) rtol), so a batch is one system),
// step-size control (safety 0.9, factors in [0.2, 10]) and FSAL, hence the
// same NFE on the same problem up to rounding.
func SolveRK45(f ODEFunc, t0, t1 float64, y []float64, o RK45Options) (ODEStats, error) {
	if len(y) == 0 {
		return ODEStats{}, nil
	}
	v := &hostVectors{f: f}
	for i := range v.s {
		v.s[i] = make([]float64, len(y))
	}
	v.s[RKY] = y
	return SolveRK45On(v, t0, t1, o)
}

// SolveRK45On is SolveRK45 on any RKVectors whose slot RKY holds the
// initial state; the solution is left there.
func SolveRK45On(v RKVectors, t0, t1 float64, o RK45Options) (ODEStats, error) {
	var st ODEStats
	if t0 == t1 {
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
	eval := func(t float64, y, dst int) error { st.NFE++; return v.Eval(t, y, dst) }
	if err := eval(t0, RKY, RKF); err != nil {
		return st, err
	}
	// Initial step (scipy select_initial_step with the error estimator order 4).
	h, err := selectInitialStep(v, eval, t0, dir, math.Abs(t1-t0), maxStep, 4, o.RTol, o.ATol)
	if err != nil {
		return st, err
	}
	var k [7]int
	for j := range k {
		k[j] = RKK0 + j
	}
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

			if err := v.Copy(k[0], RKF); err != nil {
				return st, err
			}
			for s := 1; s < 6; s++ {
				if err := v.Combine(RKTmp, RKY, hh, dpA[s][:s], k[:s]); err != nil {
					return st, err
				}
				if err := eval(t+dpC[s]*hh, RKTmp, k[s]); err != nil {
					return st, err
				}
			}
			if err := v.Combine(RKYNew, RKY, hh, dpB[:], k[:6]); err != nil {
				return st, err
			}
			if err := eval(tnew, RKYNew, k[6]); err != nil {
				return st, err
			}
			if err := v.Combine(RKErr, -1, hh, dpE[:], k[:]); err != nil {
				return st, err
			}
			errNorm, err := v.WeightedRMS(RKErr, RKY, RKYNew, o.RTol, o.ATol)
			if err != nil {
				return st, err
			}
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
				if err := v.Copy(RKY, RKYNew); err != nil {
					return st, err
				}
				if err := v.Copy(RKF, k[6]); err != nil {
					return st, err
				}
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

// selectInitialStep is scipy's select_initial_step; f(t0, y0) is in RKF.
func selectInitialStep(v RKVectors, eval func(float64, int, int) error, t0, dir, interval, maxStep float64, order int, rtol, atol float64) (float64, error) {
	d0, err := v.WeightedRMS(RKY, RKY, RKY, rtol, atol)
	if err != nil {
		return 0, err
	}
	d1, err := v.WeightedRMS(RKF, RKY, RKY, rtol, atol)
	if err != nil {
		return 0, err
	}
	var h0 float64
	if d0 < 1e-5 || d1 < 1e-5 {
		h0 = 1e-6
	} else {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, interval)
	// y1 in RKYNew, f1 in RKK0+1, f1 - f0 in RKTmp.
	if err := v.Combine(RKYNew, RKY, h0*dir, []float64{1}, []int{RKF}); err != nil {
		return 0, err
	}
	if err := eval(t0+h0*dir, RKYNew, RKK0+1); err != nil {
		return 0, err
	}
	if err := v.Combine(RKTmp, RKK0+1, -1, []float64{1}, []int{RKF}); err != nil {
		return 0, err
	}
	d2, err := v.WeightedRMS(RKTmp, RKY, RKY, rtol, atol)
	if err != nil {
		return 0, err
	}
	d2 /= h0
	var h1 float64
	if d1 <= 1e-15 && d2 <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/math.Max(d1, d2), 1/float64(order+1))
	}
	return math.Min(math.Min(100*h0, h1), math.Min(interval, maxStep)), nil
}

// hostVectors are RKVectors of float64 slices.
type hostVectors struct {
	f ODEFunc
	s [RKSlots][]float64
}

func (v *hostVectors) Eval(t float64, y, dst int) error {
	v.f(t, v.s[y], v.s[dst])
	return nil
}

func (v *hostVectors) Combine(dst, base int, h float64, c []float64, src []int) error {
	out := v.s[dst]
	for i := range out {
		acc := 0.0
		for j, k := range src {
			acc += c[j] * v.s[k][i]
		}
		if base >= 0 {
			out[i] = v.s[base][i] + h*acc
		} else {
			out[i] = h * acc
		}
	}
	return nil
}

func (v *hostVectors) WeightedRMS(e, a, b int, rtol, atol float64) (float64, error) {
	ss := 0.0
	for i, x := range v.s[e] {
		r := x / (atol + math.Max(math.Abs(v.s[a][i]), math.Abs(v.s[b][i]))*rtol)
		ss += r * r
	}
	return math.Sqrt(ss / float64(len(v.s[e]))), nil
}

func (v *hostVectors) Copy(dst, src int) error {
	copy(v.s[dst], v.s[src])
	return nil
}
