// Package sampling runs the samplers of package sde on a Vulkan device, and
// serves sampling and likelihood requests on either backend. The few-step
// samplers record their plan's stages once, like the predictor-corrector
// sampler, with earlier model outputs kept in device buffers (plan.go); the
// adaptive SDE solver replays one recorded attempt and reads its error norm
// back (adaptive.go). Any number of points is served in batches that fit
// the device (batch.go). Controllable generation rides on the same
// recorded steps: a class-guided score (ScoreModel.Class: the exact
// classifier in the mixture-score kernel, or a trained one whose gradient
// the score's graph adds, class_net.go and class_oracle.go) and inpainting, whose known coordinates are
// replaced by a fresh forward draw after every step (inpaint.go).
//
// The entry points: a ScoreModel says where the score comes from
// (OracleModel for a Gaussian mixture, NetModel or LoadCheckpoint for a
// network); NewRequest turns a config's [sampling] section into a Request for
// a Method; NewBackend picks the Backend of a --device name, the pure-Go
// float64 Reference or a Vulkan Device, and both run the same Request (and
// LikelihoodRequest, answered with sde.LikelihoodResult):
//
//	c, _ := config.Load("configs/vp_dsm.toml", nil)
//	g, _ := c.GMM()
//	r, _ := sampling.NewRequest(c, sampling.PC, 1000, 2, c.Seed, sampling.OracleModel(g))
//	x, nfe, err := sampling.NewBackend("").Sample(ctx, r)
//
// A sampler keeps its batch x in device memory and records its steps once:
// the score model's kernels, then one fused update per predictor or
// corrector step (kernels.LinComb: x = A x + B s + C z with z drawn inline
// from Philox). Every number that changes from step to step (t, the mean
// coefficient and std of the marginal, the update coefficients) sits in a
// coefficient table on the device, one row per step, and a device counter
// selects the row; the last command of a step advances the counter. A
// recorded chunk of steps is therefore replayed as is, many steps per
// submit, with no host work per step. Only the Langevin corrector's step
// size depends on the batch (its score and noise norms); it is computed on
// the device too (kernels.LangevinSNR, or kernels.LangevinPerSample).
//
// The update coefficients are not written out per sampler: they are read
// off the pure-Go reference updates of package sde (sde.PredictorStep,
// sde.CorrectorStep), which are affine in (x, score, noise) with scalar
// coefficients, by evaluating them on unit inputs. The device and the
// reference therefore cannot drift apart.
//
// Noise: the prior draw uses Philox stream rng.StreamPrior, predictors
// rng.StreamPredictor and the k-th corrector step rng.StreamCorrector+k, all
// at Philox step = the step counter, so a run is a pure function of its seed,
// whatever the device.
//
// Sample i depends only on (seed, i). Every draw of point i takes elements
// i*Dim .. (i+1)*Dim-1 of its stream's Philox sequence (the run state's
// noise offset, Request.First, Sampler.SetFirst), in every batch and on
// both backends, so a run cut into batches of any size, or into shards
// (First = K, N = M makes points K .. K+M-1), gives each sample the value one
// batch of the whole run gives it, bit for bit on one device. The samplers
// whose updates act on each point alone hold this:
//   - pc / em with any predictor and no corrector or the "ald" corrector;
//   - pc with the Langevin corrector when PCOptions.PerSampleSNR is set
//     (each sample's step from its own score and noise norms), which
//     NewRequest sets for image (U-Net) models;
//   - the few-step samplers (ddim, dpmpp2m, dpmpp3s, dpm, euler, heun,
//     edm-sde), ald and langevin, and ode with fixed euler / heun steps.
//
// Three do not: pc with score_sde's Langevin corrector (step size from the
// batch's mean norms; the default for point models, whose results it keeps),
// ode with rk45 and the adaptive SDE solver (step sizes from the whole
// batch's error norm). Their draws are still indexed by the sample, but a
// sample's trajectory depends on its batch. The likelihood's batch k draws
// its probes with BatchSeed(seed, k).
package sampling
