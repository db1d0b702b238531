package sde

// ReverseDrift writes the drift of the reverse-time SDE,
// f(x,t) - g(t)^2 s, or of the probability-flow ODE, f - g^2 s / 2, when
// probabilityFlow is set. score holds s(x, t) for the batch. Time runs
// backwards: integrate with a negative dt.
func ReverseDrift(s SDE, x, score []float64, t float64, probabilityFlow bool, out []float64) {
	a := s.DriftCoef(t)
	g := s.Diffusion(t)
	c := g * g
	if probabilityFlow {
		c *= 0.5
	}
	for i := range x {
		out[i] = a*x[i] - c*score[i]
	}
}

// ReverseDiffusion is the diffusion of the reverse SDE: g(t), or 0 for the
// probability-flow ODE.
func ReverseDiffusion(s SDE, t float64, probabilityFlow bool) float64 {
	if probabilityFlow {
		return 0
	}
	return s.Diffusion(t)
}

// ReverseDiscretize writes the reverse of the SDE's own discretisation:
// rev_f = f_i - G_i^2 s (times 1/2 for the probability flow) into outF and
// returns rev_G (0 for the probability flow). The reverse-diffusion predictor
// then computes x_mean = x - rev_f, x = x_mean + rev_G z.
func ReverseDiscretize(s SDE, x, score []float64, t float64, probabilityFlow bool, outF []float64) (revG float64) {
	fc, G := s.Discretize(t)
	c := G * G
	if probabilityFlow {
		c *= 0.5
	}
	for i := range x {
		outF[i] = fc*x[i] - c*score[i]
	}
	if probabilityFlow {
		return 0
	}
	return G
}
