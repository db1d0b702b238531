package sde

import (
	"fmt"
	"strings"
)

// FastMethod names a few-step sampler written as a Plan.
type FastMethod int

// The few-step samplers.
const (
	FastDDIM    FastMethod = iota // DDIM with eta
	FastDPMPP2M                   // DPM-Solver++(2M)
	FastDPMPP3S                   // DPM-Solver++(3S)
	FastDPM                       // DPM-Solver-2 or -3 (single-step, noise prediction)
	FastEuler                     // EDM Euler
	FastHeun                      // EDM Heun
	FastEDMSDE                    // EDM stochastic sampler (Heun with churn)
	FastUniPC                     // UniPC of order 2 (predictor-corrector, bh2)
)

// FastMethodNames are the --sampler names of the FastMethods, in order.
var FastMethodNames = []string{"ddim", "dpmpp2m", "dpmpp3s", "dpm", "euler", "heun", "edm-sde", "unipc"}

func (m FastMethod) String() string {
	if m >= 0 && int(m) < len(FastMethodNames) {
		return FastMethodNames[m]
	}
	return fmt.Sprintf("FastMethod(%d)", int(m))
}

// ParseFastMethod accepts the names of FastMethodNames.
func ParseFastMethod(s string) (FastMethod, error) {
	for i, n := range FastMethodNames {
		if n == strings.ToLower(strings.TrimSpace(s)) {
			return FastMethod(i), nil
		}
	}
	return 0, fmt.Errorf("sde: unknown few-step sampler %q (want one of %s)", s, strings.Join(FastMethodNames, ", "))
}

// FastOptions configure FastPlan.
type FastOptions struct {
	Method FastMethod
	// Steps is the number of steps: time intervals for DDIM and DPM-Solver,
	// noise levels for the EDM samplers (whose last step goes to sigma 0).
	Steps int
	Grid  TimeGrid
	Rho   float64 // Karras's rho (7)
	// Eps is the final time; 0 selects the SDE's DefaultEps.
	Eps   float64
	Eta   float64 // DDIM
	Order int     // DPM-Solver: 2 or 3
	EDM   EDMOptions
}

// DefaultFastOptions are m's usual settings: rho 7, DPM-Solver-3, and for
// edm-sde Karras's churn for a toy problem (S_churn 40 (scaled by the step
// count, so gamma = sqrt 2 - 1 at N <= 96), S_noise 1).
func DefaultFastOptions(m FastMethod, steps int) FastOptions {
	o := FastOptions{Method: m, Steps: steps, Rho: 7, Order: 3}
	if m == FastEDMSDE {
		o.EDM = EDMOptions{SChurn: 40, SNoise: 1}
	}
	return o
}

// ResolvedGrid is o.Grid, or for GridDefault the method's own grid on s.
func (o FastOptions) ResolvedGrid(s SDE) TimeGrid {
	if o.Grid == GridDefault {
		return o.Method.grid(s)
	}
	return o.Grid
}

// grid is the method's own time grid on s. The DPM-Solvers and UniPC take
// steps in lambda = log(mean / std), but a grid uniform in lambda is a poor
// default on VP and sub-VP: as t -> 0 their std goes like sqrt(t) (VP) and
// like t (sub-VP), so lambda grows without bound at the small-noise end, and
// from T to eps = 1e-3 sub-VP's range is 14.1 against VP's 9.6 (lambda(eps)
// 9.1 against 4.6). A log-SNR grid spends the steps beyond VP's end, a third
// of sub-VP's, where x0_hat no longer changes: with the exact score of the
// 2-D mixtures of configs/, DPM-Solver++(2M) then needs 30 steps on sub-VP
// and 20 on VP to come within 2x the energy-distance noise floor. The
// time-quadratic grid of the DPM-Solver reference code (DDIM's skip for
// low-resolution data) is the same in t for both SDEs and needs about 20
// and 10 (scripts/nfe-table.sh; the errors against the exact flow are in
// go test ./sde -run DPMGridDefault). On VE, lambda = -log sigma is affine
// in t: the log-SNR grid is uniform in VE's own time and stays the default
// there, where the quadratic grid measures worse.
func (m FastMethod) grid(s SDE) TimeGrid {
	switch m {
	case FastDDIM:
		return GridUniform
	case FastDPMPP2M, FastDPMPP3S, FastDPM, FastUniPC:
		if s.Kind() == KindVE {
			return GridLogSNR
		}
		return GridQuadratic
	}
	return GridKarras
}

// FastPlan builds the Plan of o for s.
func FastPlan(s SDE, o FastOptions) (Plan, error) {
	eps := o.Eps
	if eps == 0 {
		eps = s.DefaultEps()
	}
	g := o.ResolvedGrid(s)
	edm := o.Method == FastEuler || o.Method == FastHeun || o.Method == FastEDMSDE
	n := o.Steps + 1 // DDIM and DPM-Solver: the interval ends
	if edm {
		n = o.Steps
	}
	if n < 2 {
		return Plan{}, fmt.Errorf("sde: %v needs steps >= %d, got %d", o.Method, 2-(n-o.Steps), o.Steps)
	}
	ts, err := Times(s, g, n, eps, o.Rho)
	if err != nil {
		return Plan{}, err
	}
	switch o.Method {
	case FastDDIM:
		if o.Eta < 0 || o.Eta > 1 {
			return Plan{}, fmt.Errorf("sde: ddim eta must be in [0, 1], got %g", o.Eta)
		}
		return DDIMPlan(s, ts, o.Eta), nil
	case FastDPMPP2M:
		return DPMSolverPP2MPlan(s, ts), nil
	case FastDPMPP3S:
		return DPMSolverPP3SPlan(s, ts), nil
	case FastDPM:
		if o.Order != 2 && o.Order != 3 {
			return Plan{}, fmt.Errorf("sde: dpm order must be 2 or 3, got %d", o.Order)
		}
		return DPMSolverPlan(s, ts, o.Order), nil
	case FastUniPC:
		return UniPCPlan(s, ts), nil
	case FastEuler, FastHeun:
		return EDMPlan(s, ts, EDMOptions{Heun: o.Method == FastHeun}), nil
	case FastEDMSDE:
		e := o.EDM
		if e.SChurn < 0 || e.SNoise < 0 {
			return Plan{}, fmt.Errorf("sde: edm-sde needs s_churn >= 0 and s_noise >= 0, got %g, %g", e.SChurn, e.SNoise)
		}
		e.Heun = true
		return EDMPlan(s, ts, e), nil
	}
	return Plan{}, fmt.Errorf("sde: unknown few-step sampler %v", o.Method)
}
