package sde

import (
	"math/rand/v2"

	"github.com/sdevk/sdevk/graph/rng"
)

// ScoreFunc evaluates a score for a batch: x holds N*D values row-major, t is
// one time for the whole batch, out receives N*D values. Samplers over a
// sigma ladder (AnnealedLangevin) pass the noise level sigma in place of t.
type ScoreFunc func(x []float64, t float64, out []float64)

// Normal fills dst with independent standard normal draws. The device
// samplers use the on-device Philox generator; the references here accept
// any source so tests can feed the same stream to both.
type Normal func(dst []float64)

// NewNormal returns a deterministic Normal from math/rand/v2's PCG seeded with
// (seed, stream).
func NewNormal(seed, stream uint64) Normal {
	r := rand.New(rand.NewPCG(seed, stream))
	return func(dst []float64) {
		for i := range dst {
			dst[i] = r.NormFloat64()
		}
	}
}

// Rademacher fills dst with +-1 as the signs of draws from normal, so a
// single Normal source serves Gaussian and Rademacher probes.
func Rademacher(normal Normal, dst []float64) {
	normal(dst)
	for i, v := range dst {
		if v < 0 {
			dst[i] = -1
		} else {
			dst[i] = 1
		}
	}
}

// PhiloxNormal returns a Normal drawing from the counter-based Philox
// generator shared with the device (package rng): the k-th call (k = 0, 1,
// ...) fills dst with rng.Normal(dst, rng.Key{Seed: seed, Stream: stream,
// Step: k}). The samplers here draw once per noisy update (corrector steps
// then the predictor, in time order), so a device sampler that numbers its
// draws the same way sees the same noise.
func PhiloxNormal(seed uint64, stream uint32) Normal {
	var step uint32
	return func(dst []float64) {
		rng.Normal(dst, rng.Key{Seed: seed, Stream: stream, Step: step})
		step++
	}
}
