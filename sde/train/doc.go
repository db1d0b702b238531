// Package train trains score networks on a Vulkan device.
//
// A Trainer builds the training graph once (the objective of package sde on
// a score network of package model, and the gradient of every trainable
// parameter by graph.Grad), compiles it with graph/vkexec and records one
// step into a sequence: the graph, the global gradient norm, Adam (with
// warm-up and clipping, all on the device) and the EMA of the parameters.
// Each step then uploads a batch, sets the Philox step, replays the sequence
// and reads the loss back.
//
// A step is a pure function of (seed, step, state): the batch comes from a
// generator seeded by both, and the device's random draws are keyed by them,
// so resuming from a checkpoint continues bit for bit like an uninterrupted
// run. Point data is drawn by data.Dataset.Sample; image data comes from
// score_sde's pipeline (data.Pipeline, whose batch of a step is likewise a
// function of the seed and the step), made a few steps ahead on a goroutine
// so the device does not wait for it; its labels travel with the batch
// (Trainer.Labels). EvalLoss measures the objective on the test split with
// the EMA weights, as score_sde's eval_freq does. Before allocating
// anything, New compares the step's planned memory with the device's and
// fails with ErrDeviceMemory when it cannot fit.
//
// ConfigFrom builds a Config from a run configuration (AddImages adds an
// image config's pipelines); Run drives a Runner
// (Trainer on the device, RefTrainer on the host) to a step count, with
// metrics.jsonl and checkpoints in a run directory; EMAModel and
// MeasureQuality sample and judge the result.
package train
