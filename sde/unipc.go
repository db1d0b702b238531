package sde

import "math"

// UniPCPlan is UniPC (Zhao et al. 2023) of order 2 in data prediction with
// B(h) = expm1(-h) (the "bh2" variant): the multistep predictor UniP-2
// followed, at every step but the last, by the corrector UniC, which reuses
// the score evaluated at the predicted point, so the correction costs no
// evaluation and NFE = len(ts) - 1. With the notation of the DPM-Solver
// family (alpha, sigma, lambda = log(alpha/sigma), x0_hat = m):
//
//	base_i = (sigma_i / sigma_{i-1}) x^c_{i-1} - alpha_i expm1(-h_i) m_{i-1}
//	x_i    = base_i - alpha_i B_i rho_p D_i                     (predictor)
//	x^c_i  = base_i - alpha_i B_i (rho_1 D_i + rho_2 (m_i - m_{i-1}))  (corrector)
//
// with D_i = (m_{i-2} - m_{i-1}) / r_i, r_i = (lambda_{i-2} - lambda_{i-1}) / h_i,
// rho_p = 1/2, and (rho_1, rho_2) solving [[1, 1], [r_i, 1]] rho = (b_1, b_2),
// the b_k from the phi functions of -h_i. The first step has no D (order 1:
// rho_p = 0, corrector rho_2 = 1/2). As the reference code does for short
// runs, a run of fewer than lowerOrderFinalBelow steps takes its last step
// at order 1.
//
// Registers: x (the point evaluated next), base (of the step that point
// ends), the last and the previous x0_hat.
func UniPCPlan(s SDE, ts []float64) Plan {
	steps := len(ts) - 1
	lam := make([]float64, len(ts))
	for i, t := range ts {
		lam[i] = LogSNR(s, t)
	}
	// coef gives step i's (i >= 1) alpha_i, B_i, the base map and, for the
	// predictor and corrector, the weights of D (through r) and of m_i - m_{i-1}.
	type stepCoef struct {
		sigRatio, aPhi1, aB float64 // sigma_i/sigma_{i-1}, alpha_i expm1(-h), alpha_i B
		r                   float64 // r_i; 0 when D is not used
		rhoP, rho1, rho2    float64
	}
	coef := func(i int) stepCoef {
		a, sg := s.Marginal(ts[i])
		_, sp := s.Marginal(ts[i-1])
		h := lam[i] - lam[i-1]
		hh := -h
		phi1 := math.Expm1(hh)
		c := stepCoef{sigRatio: sg / sp, aPhi1: a * phi1, aB: a * phi1}
		order := min(2, i)
		if i == steps && steps < lowerOrderFinalBelow {
			order = 1
		}
		if order == 1 {
			c.rho2 = 0.5
			return c
		}
		c.r = (lam[i-2] - lam[i-1]) / h
		// b_k = k! phi_{k+1}(hh) hh / B (the reference code's recursion).
		hphik := phi1/hh - 1
		b1 := hphik / phi1
		hphik = hphik/hh - 0.5
		b2 := 2 * hphik / phi1
		c.rhoP = 0.5
		c.rho1 = (b1 - b2) / (1 - c.r)
		c.rho2 = b1 - c.rho1
		return c
	}
	p := Plan{Regs: 4}
	for k := 0; k < steps; k++ {
		a, sg := s.Marginal(ts[k])
		var cur, next stepCoef
		if k > 0 {
			cur = coef(k)
		}
		next = coef(k + 1)
		first := k == 0
		p.Stages = append(p.Stages, stage(s, ts[k], func(reg []float64, sc, z float64) {
			m := dataPred(reg[0], sc, a, sg)
			xc := reg[0]
			if !first { // correct x_k with the score at it
				var d float64
				if cur.r != 0 {
					d = (reg[3] - reg[2]) / cur.r
				}
				xc = reg[1] - cur.aB*(cur.rho1*d+cur.rho2*(m-reg[2]))
			}
			base := next.sigRatio*xc - next.aPhi1*m
			var d float64
			if next.r != 0 {
				d = (reg[2] - m) / next.r
			}
			reg[0] = base - next.aB*next.rhoP*d
			reg[1], reg[3], reg[2] = base, reg[2], m
		}))
	}
	return p
}
