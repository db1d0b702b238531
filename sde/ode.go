package sde

import (
	"fmt"
	"strings"
)

// ODEMethod selects the probability-flow ODE solver.
type ODEMethod int

// ODE solvers.
const (
	RK45  ODEMethod = iota // adaptive Dormand-Prince (scipy RK45)
	Euler                  // fixed-step explicit Euler
	Heun                   // fixed-step Heun (explicit trapezoid), 2 NFE per step
)

func (m ODEMethod) String() string {
	switch m {
	case RK45:
		return "rk45"
	case Euler:
		return "euler"
	case Heun:
		return "heun"
	}
	return fmt.Sprintf("ODEMethod(%d)", int(m))
}

// ParseODEMethod accepts "rk45" (also "dopri5"), "euler", "heun".
func ParseODEMethod(s string) (ODEMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "rk45", "dopri5", "dormand_prince", "":
		return RK45, nil
	case "euler":
		return Euler, nil
	case "heun":
		return Heun, nil
	}
	return 0, fmt.Errorf("sde: unknown ODE solver %q (want rk45, euler or heun)", s)
}

// ODEOptions configures ODESample.
type ODEOptions struct {
	Method     ODEMethod
	RTol, ATol float64 // RK45 tolerances (score_sde 1e-5)
	// Steps is the number of fixed steps for Euler / Heun (uniform in t).
	Steps int
	// Eps is the final time; 0 selects the SDE's DefaultEps.
	Eps float64
	// Denoise ends with one noise-free reverse-diffusion step at eps
	// (score_sde's ODE sampler), one more NFE.
	Denoise bool
}

// DefaultODEOptions returns score_sde's ODE sampler settings: RK45 with
// rtol = atol = 1e-5, denoising on.
func DefaultODEOptions() ODEOptions {
	return ODEOptions{Method: RK45, RTol: 1e-5, ATol: 1e-5, Steps: 100, Denoise: true}
}

// ProbabilityFlow returns the probability-flow ODE's right-hand side
// dx/dt = f - g^2 s / 2 as an ODEFunc over a batch, counting nothing.
func ProbabilityFlow(s SDE, score ScoreFunc) ODEFunc {
	var sc []float64
	return func(t float64, x, dx []float64) {
		if len(sc) != len(x) {
			sc = make([]float64, len(x))
		}
		score(x, t, sc)
		ReverseDrift(s, x, sc, t, true, dx)
	}
}

// ODESample integrates the probability-flow ODE in place on x (initialised
// by the caller, usually with PriorSample) from T to eps. It returns the
// batch NFE and the solver statistics (for RK45).
func ODESample(s SDE, x []float64, d int, score ScoreFunc, o ODEOptions) (int, ODEStats, error) {
	var st ODEStats
	if d <= 0 || len(x)%d != 0 {
		return 0, st, fmt.Errorf("sde: batch of %d values is not a whole number of %d-dim points", len(x), d)
	}
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	rhs := ProbabilityFlow(s, score)
	switch o.Method {
	case RK45:
		var err error
		st, err = SolveRK45(rhs, s.T(), eps, x, RK45Options{RTol: o.RTol, ATol: o.ATol})
		if err != nil {
			return st.NFE, st, err
		}
	case Euler, Heun:
		if o.Steps < 1 {
			return 0, st, fmt.Errorf("sde: %v needs steps >= 1, got %d", o.Method, o.Steps)
		}
		st = FixedStep(rhs, o.Method, Linspace(s.T(), eps, o.Steps+1), x)
	default:
		return 0, st, fmt.Errorf("sde: unknown ODE method %v", o.Method)
	}
	nfe := st.NFE
	if o.Denoise {
		sc := make([]float64, len(x))
		xm := make([]float64, len(x))
		score(x, eps, sc)
		nfe++
		// Noise-free reverse-diffusion step: x - (f_i - G_i^2 s).
		ReverseDiscretize(s, x, sc, eps, false, xm)
		for i := range x {
			x[i] -= xm[i]
		}
	}
	return nfe, st, nil
}

// FixedStep integrates y along the time grid ts with explicit Euler or Heun
// (trapezoid: k1 = f(t, y), k2 = f(t+h, y + h k1), y += h (k1+k2)/2).
func FixedStep(f ODEFunc, m ODEMethod, ts []float64, y []float64) ODEStats {
	var st ODEStats
	n := len(y)
	k1 := make([]float64, n)
	k2 := make([]float64, n)
	tmp := make([]float64, n)
	for i := 0; i+1 < len(ts); i++ {
		t, h := ts[i], ts[i+1]-ts[i]
		f(t, y, k1)
		st.NFE++
		if m == Euler {
			for j := range y {
				y[j] += h * k1[j]
			}
		} else {
			for j := range y {
				tmp[j] = y[j] + h*k1[j]
			}
			f(t+h, tmp, k2)
			st.NFE++
			for j := range y {
				y[j] += h * 0.5 * (k1[j] + k2[j])
			}
		}
		st.Steps++
	}
	return st
}
