// Package rng is sdevk's counter-based random number generator: Philox4x32-10
// (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
//
// Every random value in sdevk is a pure function of (seed, stream, step, index),
// never of the device, the dispatch size or the order in which work runs. The
// same mapping is implemented by shaders/philox.glsl, so the pure-Go functions
// here are the reference that the device generator is tested against:
//
//	key     = (uint32(seed), uint32(seed >> 32))
//	counter = (index / 4, step, stream, 0)
//	x       = Philox4x32_10(counter, key)[index % 4]
//
// Uniform values are (x>>8 + 0.5) / 2^24, strictly inside (0, 1) in float64;
// rounded to float32 (as the device stores them) values from 0.5 up fall
// halfway between two floats, round to even, and the top word gives 1.0. Normal values come from Box-Muller on the lane pairs (0,1) and (2,3)
// of a block: lane 2p+0 is r cos(2 pi u1), lane 2p+1 is r sin(2 pi u1) with
// r = sqrt(-2 ln u0). Rademacher values are +1 when the top bit of x is set,
// otherwise -1.
//
// A Key names one independent stream of numbers; a sampler advances Step once
// per update, and separate uses in one graph take separate Streams.
package rng
