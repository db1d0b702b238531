// Package model holds sdevk's score networks as graph builders.
//
// A ScoreNet adds the score estimate s(x, t) to a graph.Graph: x is a batch
// [B, D] (or, for the U-Nets to come, [B, C, H, W]), t holds one continuous
// time in [0, T] per point, [B], and the result has x's shape. The network
// declares its parameters as ParamSpecs (name, shape, initialiser);
// InitParams turns them into a deterministic parameter store from a seed,
// and Build reads them as graph Params of the same names, so the trainer
// can take graph.Grad of a loss with respect to graph.Params() and the
// checkpoint code can save the store by name. Frozen parameters (the
// Gaussian Fourier frequencies) are persisted but not trained.
//
// The score parameterisation (yang-song/score_sde's get_score_fn) is part
// of the network, computed in the graph from t with sde.MarginalNodes so
// that the whole training step runs on the device:
//
//   - ParamNoise (VP, sub-VP default): the network predicts the noise z of
//     x_t = mean x_0 + std z, and score = -net / std(t). (The reference
//     notes say "predict -z"; what score_sde's code does is score =
//     -net/std, so the network's target is +z, the DDPM epsilon.)
//   - ParamScaled (VE default): NCSNv2's scale_by_sigma, score = net /
//     sigma(t).
//   - ParamDirect: score = net.
//
// Time conditioning: the Gaussian Fourier embedding (scale 16, frozen
// frequencies) of log sigma(t) for VE and of t for VP / sub-VP, or the
// sinusoidal (DDPM / transformer) embedding of t (N-1), as score_sde's
// continuous models, followed by score_sde's two dense layers with SiLU.
//
// New architectures (NCSN++ / DDPM++ U-Nets) implement the same ScoreNet
// interface and reuse Dense, the time embedding and the parameterisation
// helpers of this package.
package model
