package sde

import "math"

// DDIMPlan is DDIM (Song, Meng & Ermon 2021) along ts (T down to eps, one
// step per interval), through the noise-prediction view of any SDE here:
// with x_t ~ N(alpha_t x0, sigma_t^2 I) (alpha the mean coefficient, sigma
// the std), x0_hat = (x + sigma^2 s) / alpha and eps_hat = -sigma s,
//
//	x' = alpha' x0_hat + sqrt(sigma'^2 - st^2) eps_hat + st z,
//	st = eta sigma' sqrt(1 - exp(2 (lambda - lambda'))),
//
// lambda = log(alpha / sigma). For VP this is DDIM's
// eta sqrt((1 - abar') / (1 - abar)) sqrt(1 - abar / abar'); eta = 0 is the
// deterministic sampler (DPM-Solver-1), eta = 1 the DDPM-like one. One
// register; NFE = len(ts) - 1.
func DDIMPlan(s SDE, ts []float64, eta float64) Plan {
	p := Plan{Regs: 1}
	for i := 0; i+1 < len(ts); i++ {
		a, sg := s.Marginal(ts[i])
		an, sn := s.Marginal(ts[i+1])
		st := eta * sn * math.Sqrt(math.Max(0, -math.Expm1(2*(LogSNR(s, ts[i])-LogSNR(s, ts[i+1])))))
		c := math.Sqrt(math.Max(0, sn*sn-st*st))
		p.Stages = append(p.Stages, stage(s, ts[i], func(r []float64, sc, z float64) {
			x0 := (r[0] + sg*sg*sc) / a
			e := -sg * sc
			r[0] = an*x0 + c*e + st*z
		}))
	}
	return p
}

// dataPred is x0_hat = (x + std^2 s) / mean at (mean, std).
func dataPred(x, sc, mean, std float64) float64 { return (x + std*std*sc) / mean }
