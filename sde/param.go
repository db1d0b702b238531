package sde

// Score parameterisations (score_sde's get_score_fn).
//
//   - VP and sub-VP networks predict -z (epsilon up to sign convention):
//     score = -net(x, t) / std(t).
//   - VE networks conditioned on sigma(t) may be scaled by sigma (NCSNv2's
//     scale_by_sigma): score = net / sigma(t); otherwise score = net.

// ScoreFromNoise writes score = -net / std (VP, sub-VP).
func ScoreFromNoise(net []float64, std float64, out []float64) {
	inv := -1 / std
	for i, v := range net {
		out[i] = v * inv
	}
}

// NoiseFromScore is the inverse of ScoreFromNoise: net = -score std. It gives
// the network target of a known score.
func NoiseFromScore(score []float64, std float64, out []float64) {
	for i, v := range score {
		out[i] = -v * std
	}
}

// ScoreFromScaled writes score = net / sigma (VE with scale_by_sigma).
func ScoreFromScaled(net []float64, sigma float64, out []float64) {
	inv := 1 / sigma
	for i, v := range net {
		out[i] = v * inv
	}
}

// NetToScore applies s's parameterisation at time t: -net/std for VP and
// sub-VP; net/std for VE when scaleBySigma, else net unchanged.
func NetToScore(s SDE, t float64, net []float64, scaleBySigma bool, out []float64) {
	_, std := s.Marginal(t)
	switch {
	case s.Kind() != KindVE:
		ScoreFromNoise(net, std, out)
	case scaleBySigma:
		ScoreFromScaled(net, std, out)
	default:
		copy(out, net)
	}
}

// WrapNet turns a raw network callback into a ScoreFunc with s's
// parameterisation (see NetToScore).
func WrapNet(s SDE, net ScoreFunc, scaleBySigma bool) ScoreFunc {
	return func(x []float64, t float64, out []float64) {
		net(x, t, out)
		NetToScore(s, t, out, scaleBySigma, out)
	}
}
