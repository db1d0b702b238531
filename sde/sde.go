package sde

import (
	"fmt"
	"strings"
)

// Kind names a family of forward SDEs.
type Kind int

// The SDE families of Song et al. (ICLR 2021).
const (
	KindVE Kind = iota
	KindVP
	KindSubVP
)

func (k Kind) String() string {
	switch k {
	case KindVE:
		return "ve"
	case KindVP:
		return "vp"
	case KindSubVP:
		return "subvp"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind accepts "ve", "vp" and "subvp" (also "sub-vp", "sub_vp"),
// case-insensitively.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ve":
		return KindVE, nil
	case "vp":
		return KindVP, nil
	case "subvp", "sub-vp", "sub_vp":
		return KindSubVP, nil
	}
	return 0, fmt.Errorf("sde: unknown SDE kind %q (want ve, vp or subvp)", s)
}

// SDE is a forward diffusion dx = f(x, t) dt + g(t) dw on [0, T] whose drift
// is linear in x: f(x, t) = DriftCoef(t) x. The three families here all have
// this form, which is what makes their marginals Gaussian given x_0.
type SDE interface {
	Kind() Kind
	// T is the end time (1 for all built-in SDEs).
	T() float64
	// N is the number of discretisation steps (score_sde's num_scales).
	N() int
	// DriftCoef is a(t) with f(x, t) = a(t) x.
	DriftCoef(t float64) float64
	// Diffusion is g(t).
	Diffusion(t float64) float64
	// Marginal gives x_t | x_0 ~ N(mean x_0, std^2 I).
	Marginal(t float64) (mean, std float64)
	// PriorStd is the std of the isotropic Gaussian prior p_T.
	PriorStd() float64
	// Discretize gives the discrete update x_{i+1} = x_i + fcoef x_i + G z
	// at time t (SMLD for VE, DDPM for VP, Euler-Maruyama for sub-VP).
	Discretize(t float64) (fcoef, G float64)
	// DefaultEps is the sampling end time eps (1e-5 VE, 1e-3 VP / sub-VP).
	DefaultEps() float64
}

// Time eps defaults (score_sde).
const (
	// TrainEps is the smallest t drawn by continuous DSM training.
	TrainEps = 1e-5
	// SampleEpsVE is the sampling end time for VE.
	SampleEpsVE = 1e-5
	// SampleEpsVP is the sampling end time for VP and sub-VP.
	SampleEpsVP = 1e-3
	// LikelihoodEps is the start time of the likelihood ODE.
	LikelihoodEps = 1e-5
)

// Default SDE parameters from the reference (score_sde).
const (
	DefaultSigmaMin  = 0.01
	DefaultSigmaMax  = 50.0
	DefaultBetaMin   = 0.1
	DefaultBetaMax   = 20.0
	DefaultNumScales = 1000
)

// Params gathers the parameters of any of the three SDEs.
type Params struct {
	Kind               Kind
	SigmaMin, SigmaMax float64 // VE
	BetaMin, BetaMax   float64 // VP, sub-VP
	N                  int     // discretisation steps
}

// New builds the SDE that p describes, validating its parameters.
func New(p Params) (SDE, error) {
	switch p.Kind {
	case KindVE:
		return NewVE(p.SigmaMin, p.SigmaMax, p.N)
	case KindVP:
		return NewVP(p.BetaMin, p.BetaMax, p.N)
	case KindSubVP:
		return NewSubVP(p.BetaMin, p.BetaMax, p.N)
	}
	return nil, fmt.Errorf("sde: unknown kind %v", p.Kind)
}

// Drift writes f(x, t) = a(t) x for a batch.
func Drift(s SDE, x []float64, t float64, out []float64) {
	a := s.DriftCoef(t)
	for i, v := range x {
		out[i] = a * v
	}
}

// TimeIndex is score_sde's discrete index of t: int(t (N-1) / T), truncated
// and clamped to [0, N-1].
func TimeIndex(s SDE, t float64) int {
	i := int(t * float64(s.N()-1) / s.T())
	if i < 0 {
		i = 0
	}
	if i > s.N()-1 {
		i = s.N() - 1
	}
	return i
}

// Linspace returns n values evenly spaced from a to b inclusive (n >= 2), or
// {a} when n == 1.
func Linspace(a, b float64, n int) []float64 {
	if n <= 0 {
		return nil
	}
	out := make([]float64, n)
	if n == 1 {
		out[0] = a
		return out
	}
	for i := range out {
		out[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	out[n-1] = b
	return out
}

// DiscreteChainErr is why s's discrete DDPM chain cannot be used at its N
// (VP and sub-VP with beta_max / N >= 1), nil when it can or s has none.
func DiscreteChainErr(s SDE) error {
	if d, ok := s.(interface{ DiscreteChainErr() error }); ok {
		return d.DiscreteChainErr()
	}
	return nil
}

// DiscreteChainUsers names what steps along VP's discrete chain at every
// level in PC sampling of an SDE of kind k with predictor p and corrector
// c ("" when nothing does): the ancestral and reverse-diffusion predictors
// on VP, and the correctors' alpha on VP and sub-VP. A final denoising step
// only reads the chain's first level, which exists at any N.
func DiscreteChainUsers(k Kind, p Predictor, c Corrector) string {
	if k == KindVE {
		return ""
	}
	var users []string
	if k == KindVP && (p == AncestralSampling || p == ReverseDiffusionPredictor) {
		users = append(users, fmt.Sprintf("the %v predictor", p))
	}
	if c != CorrectorNone {
		users = append(users, fmt.Sprintf("the %v corrector", c))
	}
	return strings.Join(users, " and ")
}

// DiscreteChainNote says which samplers need no discrete chain, for the
// errors that refuse one.
const DiscreteChainNote = "Euler-Maruyama without a corrector, the ODE and the fast samplers take any N"

// CheckDiscreteChain is the error for PC sampling of s with o when o steps
// along a discrete chain that s does not have at its N, nil otherwise.
func CheckDiscreteChain(s SDE, o PCOptions) error {
	users := DiscreteChainUsers(s.Kind(), o.Predictor, o.Corrector)
	if users == "" {
		return nil
	}
	if err := DiscreteChainErr(s); err != nil {
		return fmt.Errorf("%w, needed by %s (%s)", err, users, DiscreteChainNote)
	}
	return nil
}
