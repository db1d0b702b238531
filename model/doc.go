// Package model holds sdevk's score networks as graph builders.
//
// A ScoreNet adds the score estimate s(x, t) to a graph.Graph: x is a batch
// [B, D] (or, for the U-Nets, [B, C, H, W]), t holds one continuous
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
// The image networks are score_sde's U-Nets (UNet, configured by
// UNetConfig with score_sde's keys): ddpm (models/ddpm.py) and ncsnpp,
// which is both NCSN++ and DDPM++ (models/ncsnpp.py). Their modules are
// declared once, as all_modules in torch's registration order, so that
// every ParamSpec carries the torch state_dict name ("all_modules.4.Conv_0.
// weight", without DataParallel's "module.") in model.parameters() order
// (the order of an EMA's shadow_params), with score_sde's initialisers
// (default_init: variance scaling, fan_avg, uniform; init_scale 0 as 1e-10);
// the forward pass walks the same list as score_sde's m_idx does. Their
// score function is get_score_fn's for continuous training: VP and sub-VP
// call the network with labels 999 t and return -net/std(t); VE calls it
// with sigma(t), the Fourier embedding taking log sigma and scale_by_sigma
// dividing by sigma inside the network. UNet.Summarise reports each
// module's output shape, parameters and activation memory.
//
// Classifier is a small ResNet encoder over images built from the same
// layers (3x3 convolutions, the DDPM++ residual block, GroupNorm, SiLU),
// configured by ClassifierConfig: Logits gives class logits for
// sde.BuildClassifierLoss and classifier guidance, Features the pooled
// penultimate vector that package quality measures FID and KID in. A
// Conditional classifier adds the time embedding of the U-Nets to every
// block: the noise-conditional classifier p_t(y | x_t). Its point form
// (ClassifierConfig.PointDim) is an MLP of the score network's layers over
// (x, the sinusoids of t), for low-dimensional data such as a Gaussian
// mixture whose classes are its components. Its parameters are named
// "classifier.*", so that it can share a graph with a score network.
package model
