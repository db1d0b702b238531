package rng

import "hash/fnv"

// The Philox streams of sdevk: every random draw of a run names one of these
// (with the run's seed, and a step that advances per update), so draws for
// different purposes never share values and the pure-Go references and the
// device see the same noise for one seed.
const (
	// StreamPrior draws a sampler's starting points: the SDE's prior, or
	// N(0, sigma_1^2 I) for annealed and plain Langevin.
	StreamPrior uint32 = 0
	// StreamPredictor draws a sampler's predictor noise, one Philox step per
	// update; the pure-Go reference samplers draw all their noise from it.
	StreamPredictor uint32 = 1
	// StreamCorrector + k draws the k-th corrector step of each time step
	// (k = 0, 1, ..., sampling.n_steps_each - 1).
	StreamCorrector uint32 = 2
	// StreamProbe draws the likelihood's Hutchinson probes (Philox step p for
	// probe p), held fixed along the ODE.
	StreamProbe uint32 = 0x9b0be
	// StreamLossTime draws a training batch's times t (or noise levels),
	// StreamLossNoise the perturbation z, StreamLossProj sliced score
	// matching's projections v; LossConfig.StreamOffset is added to each.
	// Other random nodes of a training graph (dropout) must use other streams.
	StreamLossTime  uint32 = 0x4c000001
	StreamLossNoise uint32 = 0x4c000002
	StreamLossProj  uint32 = 0x4c000003
)

// ParamStream is the stream of a parameter's initial values: the FNV-1a hash
// of its name, so that adding a parameter leaves the others' values
// unchanged.
func ParamStream(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32()
}
