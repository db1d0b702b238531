package config

// Config is a whole run configuration.
type Config struct {
	// Seed seeds everything random in a run (score_sde's config.seed).
	Seed       uint64           `toml:"seed"`
	Data       DataConfig       `toml:"data"`
	SDE        SDEConfig        `toml:"sde"`
	Model      ModelConfig      `toml:"model"`
	Training   TrainingConfig   `toml:"training"`
	Optim      OptimConfig      `toml:"optim"`
	Sampling   SamplingConfig   `toml:"sampling"`
	Likelihood LikelihoodConfig `toml:"likelihood"`

	// File is the path the config was read from ("" for Default).
	File string `toml:"-"`
	// lines maps dotted keys to their line in File; origin marks keys set
	// by --set overrides.
	lines  map[string]int
	comps  []int // line of each [[data.components]] header
	origin map[string]string
	// given holds the keys the file or an override set (the rest are
	// defaults).
	given map[string]bool
}

// DataConfig selects the data set.
type DataConfig struct {
	// Kind is "gmm" (Components), "npy" (Path) or a built-in 2-D set:
	// swiss_roll, moons, 8gaussians, 25gaussians, checkerboard, rings,
	// ncsn_toy.
	Kind       string            `toml:"kind"`
	Path       string            `toml:"path"`
	Components []ComponentConfig `toml:"components"`

	// score_sde's image keys, verbatim: the U-Nets read image_size,
	// num_channels and centered; the rest describe the data set.
	Dataset               string `toml:"dataset"` // CIFAR10 | SVHN | CELEBA | LSUN | FFHQ | CelebAHQ
	ImageSize             int    `toml:"image_size"`
	NumChannels           int    `toml:"num_channels"`
	Centered              bool   `toml:"centered"` // inputs in [-1, 1], else [0, 1]
	RandomFlip            bool   `toml:"random_flip"`
	UniformDequantization bool   `toml:"uniform_dequantization"`
	// Crop, when > 0, keeps the centre Crop x Crop of each image of a
	// folder before resizing to image_size: score_sde's CelebA
	// preprocessing is crop = 140.
	Crop int `toml:"crop"`
	// Labels is an optional labels .npy for an images .npy at Path.
	Labels string `toml:"labels"`
}

// ComponentConfig is one [[data.components]] entry: weight, mean, and std or
// cov.
type ComponentConfig struct {
	Weight float64     `toml:"weight"`
	Mean   []float64   `toml:"mean"`
	Std    float64     `toml:"std"`
	Cov    [][]float64 `toml:"cov"`
}

// SDEConfig is the forward SDE (score_sde keeps these under model.*).
type SDEConfig struct {
	Kind      string  `toml:"kind"` // ve | vp | subvp
	SigmaMin  float64 `toml:"sigma_min"`
	SigmaMax  float64 `toml:"sigma_max"`
	BetaMin   float64 `toml:"beta_min"`
	BetaMax   float64 `toml:"beta_max"`
	NumScales int     `toml:"num_scales"` // N, discretisation steps
}

// ModelConfig is the score network.
type ModelConfig struct {
	Name         string  `toml:"name"`          // mlp | ddpm | ncsnpp | classifier
	NumClasses   int     `toml:"num_classes"`   // classifier: classes (default the data set's)
	Hidden       int     `toml:"hidden"`        // width of hidden layers
	Layers       int     `toml:"layers"`        // hidden layers
	Embedding    string  `toml:"embedding"`     // fourier | sinusoidal (default by SDE)
	EmbeddingDim int     `toml:"embedding_dim"` // time embedding width
	FourierScale float64 `toml:"fourier_scale"` // Gaussian Fourier features scale
	Activation   string  `toml:"activation"`    // silu
	EMARate      float64 `toml:"ema_rate"`      // 0.999 VE, 0.9999 VP / sub-VP
	ScaleBySigma bool    `toml:"scale_by_sigma"`

	// score_sde's U-Net keys (model.name ddpm | ncsnpp), verbatim; see
	// model.UNetConfig for their meaning.
	NF                 int       `toml:"nf"`
	ChMult             []int     `toml:"ch_mult"`
	NumResBlocks       int       `toml:"num_res_blocks"`
	AttnResolutions    []int     `toml:"attn_resolutions"`
	Dropout            float64   `toml:"dropout"`
	ResampWithConv     bool      `toml:"resamp_with_conv"`
	Conditional        bool      `toml:"conditional"`
	FIR                bool      `toml:"fir"`
	FIRKernel          []float64 `toml:"fir_kernel"`
	SkipRescale        bool      `toml:"skip_rescale"`
	ResblockType       string    `toml:"resblock_type"`       // ddpm | biggan
	Progressive        string    `toml:"progressive"`         // none | output_skip | residual
	ProgressiveInput   string    `toml:"progressive_input"`   // none | input_skip | residual
	ProgressiveCombine string    `toml:"progressive_combine"` // sum | cat
	EmbeddingType      string    `toml:"embedding_type"`      // fourier | positional
	InitScale          float64   `toml:"init_scale"`
	ConvSize           int       `toml:"conv_size"`
	Nonlinearity       string    `toml:"nonlinearity"`   // swish | elu | relu
	Normalization      string    `toml:"normalization"`  // GroupNorm
	AttentionType      string    `toml:"attention_type"` // ddpm

	// score_sde keeps the SDE's constants under [model]; these are the
	// same values as [sde] (giving both with different values is an error).
	SigmaMin  float64 `toml:"sigma_min"`
	SigmaMax  float64 `toml:"sigma_max"`
	BetaMin   float64 `toml:"beta_min"`
	BetaMax   float64 `toml:"beta_max"`
	NumScales int     `toml:"num_scales"`
}

// TrainingConfig is the objective and the loop.
type TrainingConfig struct {
	BatchSize           int     `toml:"batch_size"`
	NIters              int     `toml:"n_iters"`
	Loss                string  `toml:"loss"` // dsm | smld | ddpm | ssm | ssm_vr | exact
	ReduceMean          bool    `toml:"reduce_mean"`
	LikelihoodWeighting bool    `toml:"likelihood_weighting"`
	Continuous          bool    `toml:"continuous"`
	Eps                 float64 `toml:"eps"`         // smallest t for continuous objectives
	NParticles          int     `toml:"n_particles"` // projections per sample (ssm, ssm_vr)
	Projection          string  `toml:"projection"`  // rademacher | gaussian | sphere
	SnapshotFreq        int     `toml:"snapshot_freq"`
	LogFreq             int     `toml:"log_freq"`
	// Objective is what is trained: "score" (the default: a score network
	// by Loss) or "classifier" (model.name = "classifier": softmax
	// cross-entropy on the labels, on perturbed data x_t when
	// model.conditional, as score_sde's noise-conditional classifier).
	Objective string `toml:"objective"`

	// SDE is score_sde's training.sde: vesde | vpsde | subvpsde, the same
	// as sde.kind ve | vp | subvp.
	SDE string `toml:"sde"`
	// score_sde's loop keys, kept so its configs read verbatim.
	EvalFreq                  int  `toml:"eval_freq"`
	SnapshotFreqForPreemption int  `toml:"snapshot_freq_for_preemption"`
	SnapshotSampling          bool `toml:"snapshot_sampling"`
}

// OptimConfig is the optimiser.
type OptimConfig struct {
	Optimizer   string  `toml:"optimizer"` // adam | adamw
	LR          float64 `toml:"lr"`
	Beta1       float64 `toml:"beta1"`
	Beta2       float64 `toml:"beta2"`
	Eps         float64 `toml:"eps"`
	Warmup      int     `toml:"warmup"`
	GradClip    float64 `toml:"grad_clip"` // 0 disables clipping
	WeightDecay float64 `toml:"weight_decay"`
}

// SamplingConfig is the sampler.
type SamplingConfig struct {
	// Method is pc | em | ode | ald | langevin.
	Method          string  `toml:"method"`
	Predictor       string  `toml:"predictor"` // euler_maruyama | reverse_diffusion | ancestral_sampling | none
	Corrector       string  `toml:"corrector"` // langevin | ald | none
	SNR             float64 `toml:"snr"`
	NStepsEach      int     `toml:"n_steps_each"` // corrector steps per step; ALD steps per level
	NSteps          int     `toml:"n_steps"`      // N of fixed-step samplers; 0 = sde.num_scales
	NoiseRemoval    bool    `toml:"noise_removal"`
	ProbabilityFlow bool    `toml:"probability_flow"`
	ODESolver       string  `toml:"ode_solver"` // rk45 | euler | heun
	RTol            float64 `toml:"rtol"`
	ATol            float64 `toml:"atol"`
	Eps             float64 `toml:"eps"` // end time; default 1e-5 VE, 1e-3 VP / sub-VP
	NSamples        int     `toml:"n_samples"`
	StepLR          float64 `toml:"step_lr"`     // Langevin / ALD eps
	NLevels         int     `toml:"n_levels"`    // ALD ladder length L (NCSN's num_classes)
	SigmaBegin      float64 `toml:"sigma_begin"` // ALD sigma_1; 0 = sde.sigma_max
	SigmaEnd        float64 `toml:"sigma_end"`   // ALD sigma_L; 0 = sde.sigma_min
	FastSampling
}

// FastSampling are the keys of the few-step samplers (ddim, dpmpp2m,
// dpmpp3s, dpm, euler, heun, edm-sde) and the adaptive SDE solver.
type FastSampling struct {
	FastSteps    int     `toml:"fast_steps"`    // steps of the few-step samplers
	Schedule     string  `toml:"schedule"`      // default | uniform | quadratic | logsnr | karras
	Rho          float64 `toml:"rho"`           // Karras schedule exponent
	Eta          float64 `toml:"eta"`           // ddim: 0 deterministic .. 1
	Order        int     `toml:"order"`         // dpm: 2 or 3
	SChurn       float64 `toml:"s_churn"`       // edm-sde churn
	SNoise       float64 `toml:"s_noise"`       // edm-sde noise inflation
	STMin        float64 `toml:"s_tmin"`        // edm-sde: churn for sigma in [s_tmin, s_tmax]
	STMax        float64 `toml:"s_tmax"`        // 0 = no upper bound
	AdaptiveRTol float64 `toml:"adaptive_rtol"` // adaptive SDE solver tolerances
	AdaptiveATol float64 `toml:"adaptive_atol"`
}

// LikelihoodConfig is the probability-flow likelihood.
type LikelihoodConfig struct {
	Estimator string  `toml:"estimator"` // rademacher | gaussian | exact
	Probes    int     `toml:"probes"`
	RTol      float64 `toml:"rtol"`
	ATol      float64 `toml:"atol"`
	Eps       float64 `toml:"eps"`
}

// Default returns the defaults (score_sde's where the reference gives them),
// with SDE-dependent defaults filled for the default VE SDE and the NCSN toy
// as data.
func Default() *Config {
	c := base()
	c.fillKindDefaults(map[string]bool{})
	return c
}

func base() *Config {
	return &Config{
		Seed: 42,
		Data: DataConfig{Kind: "ncsn_toy", ImageSize: 32, NumChannels: 3, RandomFlip: true},
		SDE: SDEConfig{Kind: "ve", SigmaMin: 0.01, SigmaMax: 50, BetaMin: 0.1, BetaMax: 20,
			NumScales: 1000},
		Model: ModelConfig{Name: "mlp", Hidden: 128, Layers: 3, EmbeddingDim: 64, FourierScale: 16,
			Activation: "silu", NF: 128, ChMult: []int{1, 2, 2, 2}, NumResBlocks: 4, AttnResolutions: []int{16},
			Dropout: 0.1, ResampWithConv: true, Conditional: true, FIRKernel: []float64{1, 3, 3, 1},
			SkipRescale: true, ResblockType: "biggan", Progressive: "none", ProgressiveInput: "none",
			ProgressiveCombine: "sum", EmbeddingType: "fourier", ConvSize: 3, Nonlinearity: "swish",
			Normalization: "GroupNorm", AttentionType: "ddpm"},
		Training: TrainingConfig{BatchSize: 128, NIters: 10000, Loss: "dsm", Continuous: true, Eps: 1e-5,
			NParticles: 1, Projection: "rademacher", SnapshotFreq: 1000, LogFreq: 100},
		Optim: OptimConfig{Optimizer: "adam", LR: 2e-4, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Warmup: 5000,
			GradClip: 1},
		Sampling: SamplingConfig{Method: "pc", SNR: 0.16, NStepsEach: 1, NoiseRemoval: true, ODESolver: "rk45",
			RTol: 1e-5, ATol: 1e-5, NSamples: 10000, StepLR: 2e-5, NLevels: 10,
			FastSampling: FastSampling{FastSteps: 20, Schedule: "default", Rho: 7, Order: 3, SChurn: 40, SNoise: 1,
				AdaptiveRTol: 0.01, AdaptiveATol: 0.01}},
		Likelihood: LikelihoodConfig{Estimator: "rademacher", Probes: 1, RTol: 1e-5, ATol: 1e-5, Eps: 1e-5},
	}
}

// fillKindDefaults sets the SDE-dependent defaults for keys not in set.
func (c *Config) fillKindDefaults(set map[string]bool) {
	ve := c.SDE.Kind == "ve"
	if !set["model.ema_rate"] {
		c.Model.EMARate = 0.9999
		if ve {
			c.Model.EMARate = 0.999
		}
	}
	if !set["model.embedding"] {
		c.Model.Embedding = "sinusoidal"
		if ve {
			c.Model.Embedding = "fourier"
		}
	}
	if !set["model.scale_by_sigma"] {
		c.Model.ScaleBySigma = ve
	}
	if !set["sampling.predictor"] {
		c.Sampling.Predictor = "euler_maruyama"
		if ve {
			c.Sampling.Predictor = "reverse_diffusion"
		}
	}
	if !set["sampling.corrector"] {
		c.Sampling.Corrector = "none"
		if ve {
			c.Sampling.Corrector = "langevin"
		}
	}
	if !set["sampling.eps"] {
		c.Sampling.Eps = 1e-3
		if ve {
			c.Sampling.Eps = 1e-5
		}
	}
}
