// Package sde holds the device-independent, float64 reference of sdevk's
// score-based modelling maths: the forward SDEs (VE, VP, sub-VP), their
// marginals, priors, discretisations and reverses, the score
// parameterisations, the reference samplers (Langevin, annealed Langevin,
// predictor-corrector, Euler-Maruyama, probability-flow ODE with an adaptive
// Dormand-Prince RK45 or fixed-step Euler / Heun), the few-step samplers
// (DDIM, DPM-Solver and DPM-Solver++, EDM's Euler, Heun and stochastic
// sampler, each a plan of affine stages over a time grid: plan.go, fast.go;
// the adaptive Euler-Maruyama / improved-Euler SDE solver: adaptive.go) and
// the likelihood through the probability-flow ODE (exact divergence or
// Hutchinson-Skilling probes).
//
// Everything here runs on the host over a batch stored row-major: x has N*D
// values, row i being point i. A score is supplied by a ScoreFunc callback
// evaluated for the whole batch at one time t, so the same code drives an
// analytic oracle (data.Oracle) or a network. These functions are the test
// oracles for the device samplers: the single-update functions
// (PredictorStep, CorrectorStep) take the score and the noise as arguments, so
// a device update can be compared bit-for-bit in structure with its
// reference given the same inputs.
//
// Conventions follow yang-song/score_sde (formulas in
// ../shared/reference/score-sde.md); deliberate deviations are documented
// where they occur:
//   - VE marginal std is sigma_min (sigma_max/sigma_min)^t as in score_sde, so
//     p_0 is the data convolved with N(0, sigma_min^2); the SDE itself only
//     adds sigma(t)^2 - sigma_min^2 of variance.
//   - The Langevin step is the paper's x + (a/2) s + sqrt(a) z (see
//     Langevin); ermongroup/ncsn's code writes x + a s + sqrt(2a) z.
//   - The Langevin corrector uses VP's alphas for sub-VP too (score_sde only
//     defines them for VP).
//   - NFE counts batch score evaluations actually made (one ScoreFunc call on
//     the whole batch is one evaluation). For a PC sampler with both a
//     predictor and a corrector it equals N (n_steps_each + 1) as in score_sde.
package sde
