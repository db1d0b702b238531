package sde

import "math"

// EDMOptions configure the samplers of Karras et al. 2022 ("EDM").
type EDMOptions struct {
	// Heun adds the trapezoid correction (second order) to every step but
	// the last, into sigma = 0.
	Heun bool
	// SChurn, SNoise, STMin, STMax are the stochastic sampler's churn:
	// before each step whose sigma lies in [STMin, STMax], the noise level
	// rises to sigma (1 + gamma), gamma = min(SChurn / N, sqrt 2 - 1), by
	// adding fresh noise of std sqrt(sigma_hat^2 - sigma^2) SNoise. SChurn
	// = 0 is the deterministic sampler. STMax = 0 means no upper bound.
	SChurn, SNoise, STMin, STMax float64
}

// EDMPlan is the EDM sampler for any SDE here through the sigma view: y =
// x / mean(t) is the data plus N(0, sigma(t)^2 I) noise, sigma = std /
// mean, and the denoiser is D(y; sigma) = x0_hat = (x + std^2 s) / mean.
// ts are the N noise levels' times, T down to eps (Karras: sigma_i^(1/rho)
// uniform); a last Euler step goes to sigma = 0, so the result is y there,
// the data itself. Each step: d = (y - D) / sigma, y' = y + (sigma' - sigma)
// d; Heun evaluates d' at y' and uses (d + d') / 2. NFE: N Euler, 2N - 1
// Heun.
//
// Deviation: the churned level sigma_hat is capped at sigma(T), where the
// score is defined, so the first step never churns (its sigma is already
// sigma(T)). Registers: x at the evaluation, the step's start y, its d.
func EDMPlan(s SDE, ts []float64, o EDMOptions) Plan {
	n := len(ts)
	sigmas := make([]float64, n+1) // the last is 0
	for i, t := range ts {
		sigmas[i] = SigmaView(s, t)
	}
	// hat[i] is the time and sigma each step is evaluated at, after churn;
	// churn[i] the std of the noise that gets it there.
	hatT, hatSig, churn := make([]float64, n), make([]float64, n), make([]float64, n)
	sigMax := SigmaView(s, s.T())
	for i := range ts {
		hatT[i], hatSig[i] = ts[i], sigmas[i]
		sig := sigmas[i]
		if o.SChurn > 0 && sig >= o.STMin && (o.STMax == 0 || sig <= o.STMax) {
			gamma := math.Min(o.SChurn/float64(n), math.Sqrt2-1)
			hat := math.Min(sig*(1+gamma), sigMax)
			if hat > sig {
				hatSig[i] = hat
				hatT[i] = invert(func(t float64) float64 { return SigmaView(s, t) }, hat, ts[i], s.T())
				churn[i] = math.Sqrt(hat*hat-sig*sig) * o.SNoise
			}
		}
	}
	// next is the register-0 value that starts step i+1 from y': its x at
	// the churned time, or y' itself after the last step.
	next := func(i int, y, z float64) float64 {
		if i+1 == n {
			return y
		}
		m, _ := s.Marginal(hatT[i+1])
		return m * (y + churn[i+1]*z)
	}
	p := Plan{Regs: 3}
	for i := range ts {
		m, std := s.Marginal(hatT[i])
		sig, sigN := hatSig[i], sigmas[i+1]
		if !o.Heun || i+1 == n {
			p.Stages = append(p.Stages, stage(s, hatT[i], func(reg []float64, sc, z float64) {
				y := reg[0] / m
				d := (y - dataPred(reg[0], sc, m, std)) / sig
				reg[0] = next(i, y+(sigN-sig)*d, z)
			}))
			continue
		}
		mN, stdN := s.Marginal(ts[i+1])
		p.Stages = append(p.Stages,
			stage(s, hatT[i], func(reg []float64, sc, z float64) {
				y := reg[0] / m
				d := (y - dataPred(reg[0], sc, m, std)) / sig
				reg[0] = mN * (y + (sigN-sig)*d)
				reg[1], reg[2] = y, d
			}),
			stage(s, ts[i+1], func(reg []float64, sc, z float64) {
				y := reg[0] / mN
				d2 := (y - dataPred(reg[0], sc, mN, stdN)) / sigN
				reg[0] = next(i, reg[1]+(sigN-sig)*0.5*(reg[2]+d2), z)
			}))
	}
	return p
}
