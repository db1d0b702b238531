// Package scoresde imports yang-song/score_sde_pytorch's checkpoints into
// sdevk's: `sdevk import --from score_sde` is Import.
//
// The score_sde checkpoint (checkpoint_N.pth, read by package torchckpt)
// brings the weights and the step; the config brings the architecture. The
// config is an sdevk TOML file, or score_sde's own config dumped as JSON
// (json.dump(config.to_dict(), f)), whose sections training, sampling,
// data, model and optim sdevk's TOML takes verbatim (ConfigTOML converts
// it). The network the config describes must have exactly the
// checkpoint's parameters, with the same names (score_sde's state dict
// names without DataParallel's "module.") and shapes; the first that
// differs is named in the error, with both shapes.
//
// The sdevk checkpoint holds params/NAME (the raw weights), ema/NAME (the
// EMA of each trainable parameter), the step, the seed and the config, so
// `sdevk sample` and `sdevk score` read it like one of `sdevk train`. It
// holds no optimiser moments: score_sde's Adam state is not carried over.
//
// Import writes nothing unless every check passes, and writes atomically.
package scoresde
