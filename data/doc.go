// Package data holds sdevk's low-dimensional data sets and the exact maths
// that makes them useful as test oracles: Gaussian mixtures in any dimension
// (validated, sampled, exact log-density), the analytic score, Jacobian and
// divergence of their perturbed densities p_t under any SDE marginal
// (Oracle), the built-in 2-D sets (swiss roll, moons, 8 and 25 Gaussians,
// checkerboard, rings, the NCSN two-mode mixture), .npy point files of shape
// (N, D), and sample-quality metrics (energy distance, MMD, per-mode weights,
// the exact-versus-exact noise floor).
//
// Points are stored row-major in a []float64 of N*D values, as in package sde.
package data
