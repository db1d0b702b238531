package sde

import "math"

// The DPM-Solver family (Lu et al. 2022, "DPM-Solver" and "DPM-Solver++")
// for any SDE here through x_t ~ N(alpha_t x0, sigma_t^2 I): alpha the mean
// coefficient, sigma the std, lambda = log(alpha / sigma), h = lambda' -
// lambda over a step. The model outputs are eps_hat = -sigma s (noise
// prediction, DPM-Solver) and x0_hat = (x + sigma^2 s) / alpha (data
// prediction, DPM-Solver++). Times ts run from T down to eps.

// lowerOrderFinalBelow: a multistep run of fewer steps takes its last step
// at order 1, as the reference code's lower_order_final does, which its
// authors found to stabilise runs of 10 steps or fewer.
const lowerOrderFinalBelow = 15

// DPMSolverPP2MPlan is DPM-Solver++(2M), the multistep second-order solver:
//
//	x_i = (sigma_i / sigma_{i-1}) x_{i-1} - alpha_i expm1(-h_i) D_i,
//	D_i = (1 + 1/(2 r_i)) x0_{i-1} - 1/(2 r_i) x0_{i-2}, r_i = h_{i-1} / h_i,
//
// with D = x0_{i-1} on the first step and, in a run of fewer than
// lowerOrderFinalBelow steps, on the last. Registers: x, the previous
// x0_hat. NFE = len(ts) - 1.
func DPMSolverPP2MPlan(s SDE, ts []float64) Plan {
	p := Plan{Regs: 2}
	steps := len(ts) - 1
	for i := 0; i < steps; i++ {
		a, sg := s.Marginal(ts[i])
		an, sn := s.Marginal(ts[i+1])
		h := LogSNR(s, ts[i+1]) - LogSNR(s, ts[i])
		w0, w1 := 1.0, 0.0 // weights of this and the previous x0_hat
		if i > 0 && !(i == steps-1 && steps < lowerOrderFinalBelow) {
			r := (LogSNR(s, ts[i]) - LogSNR(s, ts[i-1])) / h
			w0, w1 = 1+1/(2*r), -1/(2*r)
		}
		phi := math.Expm1(-h)
		p.Stages = append(p.Stages, stage(s, ts[i], func(reg []float64, sc, z float64) {
			x0 := dataPred(reg[0], sc, a, sg)
			reg[0] = sn/sg*reg[0] - an*phi*(w0*x0+w1*reg[1])
			reg[1] = x0
		}))
	}
	return p
}

// dpmStep holds a single-step DPM-Solver step's times and coefficients.
type dpmStep struct {
	t, s1, s2, tn           float64 // start, intermediate times, end
	a, sg, a1, sg1, a2, sg2 float64 // alpha, sigma at t, s1, s2
	an, sn                  float64 // at tn
	h                       float64
}

// newDPMStep places the intermediate times at lambda + r1 h and lambda + r2 h.
func newDPMStep(s SDE, t, tn, r1, r2 float64) dpmStep {
	st := dpmStep{t: t, tn: tn}
	l := LogSNR(s, t)
	st.h = LogSNR(s, tn) - l
	f := func(u float64) float64 { return LogSNR(s, u) }
	st.s1 = invert(f, l+r1*st.h, tn, t)
	st.s2 = invert(f, l+r2*st.h, tn, t)
	st.a, st.sg = s.Marginal(t)
	st.a1, st.sg1 = s.Marginal(st.s1)
	st.a2, st.sg2 = s.Marginal(st.s2)
	st.an, st.sn = s.Marginal(tn)
	return st
}

// DPMSolverPP3SPlan is DPM-Solver++(3S), the single-step third-order solver
// in data prediction (r1 = 1/3, r2 = 2/3; the "dpmsolver" variant of the
// reference code):
//
//	x_s1 = (sigma_s1 / sigma) x - alpha_s1 phi_11 D
//	x_s2 = (sigma_s2 / sigma) x - alpha_s2 phi_12 D + (r2 / r1) alpha_s2 phi_22 (D_s1 - D)
//	x'   = (sigma' / sigma) x - alpha' phi_1 D + (1 / r2) alpha' phi_2 (D_s2 - D)
//
// phi_11 = expm1(-r1 h), phi_12 = expm1(-r2 h), phi_1 = expm1(-h),
// phi_22 = phi_12 / (r2 h) + 1, phi_2 = phi_1 / h + 1. Registers: x, the
// step's start, D (D_s1 only enters x_s2). NFE = 3 (len(ts) - 1).
func DPMSolverPP3SPlan(s SDE, ts []float64) Plan {
	const r1, r2 = 1.0 / 3, 2.0 / 3
	p := Plan{Regs: 3}
	for i := 0; i+1 < len(ts); i++ {
		st := newDPMStep(s, ts[i], ts[i+1], r1, r2)
		h := st.h
		phi11, phi12, phi1 := math.Expm1(-r1*h), math.Expm1(-r2*h), math.Expm1(-h)
		phi22, phi2 := phi12/(r2*h)+1, phi1/h+1
		p.Stages = append(p.Stages,
			stage(s, st.t, func(reg []float64, sc, z float64) {
				x, d := reg[0], dataPred(reg[0], sc, st.a, st.sg)
				reg[0] = st.sg1/st.sg*x - st.a1*phi11*d
				reg[1], reg[2] = x, d
			}),
			stage(s, st.s1, func(reg []float64, sc, z float64) {
				d1 := dataPred(reg[0], sc, st.a1, st.sg1)
				reg[0] = st.sg2/st.sg*reg[1] - st.a2*phi12*reg[2] + r2/r1*st.a2*phi22*(d1-reg[2])
			}),
			stage(s, st.s2, func(reg []float64, sc, z float64) {
				d2 := dataPred(reg[0], sc, st.a2, st.sg2)
				reg[0] = st.sn/st.sg*reg[1] - st.an*phi1*reg[2] + 1/r2*st.an*phi2*(d2-reg[2])
			}))
	}
	return p
}

// DPMSolverPlan is the single-step DPM-Solver-2 (r1 = 1/2) or -3 (r1 = 1/3,
// r2 = 2/3) in noise prediction:
//
//	order 2: x_s1 = (alpha_s1 / alpha) x - sigma_s1 expm1(r1 h) E
//	         x'   = (alpha' / alpha) x - sigma' expm1(h) E - (1 / (2 r1)) sigma' expm1(h) (E_s1 - E)
//	order 3: x_s1 = (alpha_s1 / alpha) x - sigma_s1 phi_11 E
//	         x_s2 = (alpha_s2 / alpha) x - sigma_s2 phi_12 E - (r2 / r1) sigma_s2 phi_22 (E_s1 - E)
//	         x'   = (alpha' / alpha) x - sigma' phi_1 E - (1 / r2) sigma' phi_2 (E_s2 - E)
//
// phi_11 = expm1(r1 h), phi_12 = expm1(r2 h), phi_1 = expm1(h), phi_22 =
// phi_12 / (r2 h) - 1, phi_2 = phi_1 / h - 1. Registers: x, the step's
// start, E. NFE = order (len(ts) - 1).
func DPMSolverPlan(s SDE, ts []float64, order int) Plan {
	p := Plan{Regs: 3}
	for i := 0; i+1 < len(ts); i++ {
		if order == 2 {
			const r1 = 0.5
			st := newDPMStep(s, ts[i], ts[i+1], r1, r1)
			phi11, phi1 := math.Expm1(r1*st.h), math.Expm1(st.h)
			p.Stages = append(p.Stages,
				stage(s, st.t, func(reg []float64, sc, z float64) {
					x, e := reg[0], -st.sg*sc
					reg[0] = st.a1/st.a*x - st.sg1*phi11*e
					reg[1], reg[2] = x, e
				}),
				stage(s, st.s1, func(reg []float64, sc, z float64) {
					e1 := -st.sg1 * sc
					reg[0] = st.an/st.a*reg[1] - st.sn*phi1*reg[2] - 0.5/r1*st.sn*phi1*(e1-reg[2])
				}))
			continue
		}
		const r1, r2 = 1.0 / 3, 2.0 / 3
		st := newDPMStep(s, ts[i], ts[i+1], r1, r2)
		h := st.h
		phi11, phi12, phi1 := math.Expm1(r1*h), math.Expm1(r2*h), math.Expm1(h)
		phi22, phi2 := phi12/(r2*h)-1, phi1/h-1
		p.Stages = append(p.Stages,
			stage(s, st.t, func(reg []float64, sc, z float64) {
				x, e := reg[0], -st.sg*sc
				reg[0] = st.a1/st.a*x - st.sg1*phi11*e
				reg[1], reg[2] = x, e
			}),
			stage(s, st.s1, func(reg []float64, sc, z float64) {
				e1 := -st.sg1 * sc
				reg[0] = st.a2/st.a*reg[1] - st.sg2*phi12*reg[2] - r2/r1*st.sg2*phi22*(e1-reg[2])
			}),
			stage(s, st.s2, func(reg []float64, sc, z float64) {
				e2 := -st.sg2 * sc
				reg[0] = st.an/st.a*reg[1] - st.sn*phi1*reg[2] - 1/r2*st.sn*phi2*(e2-reg[2])
			}))
	}
	return p
}
