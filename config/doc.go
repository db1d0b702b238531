// Package config reads sdevk's TOML run configurations for `sdevk train`,
// `sample`, `likelihood` and `eval`: sections data, sde, model, training,
// optim, sampling and likelihood, key names following yang-song/score_sde
// where one exists, defaults from the reference
// (../shared/reference/score-sde.md). Reading is strict: an unknown key, a
// value of the wrong type, a malformed file, a bad `--set section.key=value`
// override or an invalid value is a one-line *Error naming the file, the line
// and the key. Doctor warns, with numbers, when the SDE's prior is far from
// the perturbed data at t = T.
//
// Defaults that depend on the SDE (model.ema_rate, model.embedding,
// model.scale_by_sigma, sampling.predictor, sampling.corrector,
// sampling.eps) are filled after reading, for keys the file and the
// overrides leave unset.
//
// score_sde's own configs read verbatim (configs/score_sde/ holds its
// CIFAR-10 ones): [model] takes its U-Net keys (name ddpm | ncsnpp, nf,
// ch_mult, resblock_type, fir, progressive_input, ...) and its SDE constants
// (sigma_min ... num_scales, the same values as [sde]); training.sde
// (vesde | vpsde | subvpsde) sets sde.kind; [data] takes image_size,
// num_channels, centered and the data set keys; optim.optimizer may be
// spelt "Adam". A value given both in score_sde's place and in [sde] must
// agree. NewScoreNet builds the configured network, U-Net or MLP.
package config
