package sde

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/graph"
)

// Marginals and diffusion as graph nodes, so that a whole training step (the
// draw of t, the perturbation, the score parameterisation and the loss
// weighting) runs on the device from t alone. Each builder takes t of any
// shape (usually [B]) and returns nodes of the same shape.

// GraphSDE is implemented by SDEs outside this package that want to be
// usable by MarginalNodes and DiffusionSqNodes. The built-in VE, VP and
// sub-VP SDEs are handled directly.
type GraphSDE interface {
	MarginalNodes(t *graph.Node) (mean, std *graph.Node)
	DiffusionSqNodes(t *graph.Node) *graph.Node
}

// MarginalNodes builds the mean coefficient and the std of p_0t(x_t | x_0)
// at times t, elementwise:
//
//	VE:     mean = 1, std = exp(log s_min + t log(s_max/s_min))
//	VP:     lmc = -t^2 (b_max-b_min)/4 - t b_min/2, mean = e^lmc, std = sqrt(1 - e^{2 lmc})
//	sub-VP: mean = e^lmc, std = 1 - e^{2 lmc}
//
// 1 - e^{2 lmc} is computed without cancellation at small t (see
// OneMinusExpNode), so float32 devices keep full relative precision near
// t = eps. It panics for an SDE that is neither built in nor a GraphSDE.
func MarginalNodes(s SDE, t *graph.Node) (mean, std *graph.Node) {
	switch v := s.(type) {
	case *VE:
		return graph.OnesLike(t), VESigmaNode(v, t)
	case *VP:
		l := logMeanCoeffNode(v.BetaMin, v.BetaMax, t)
		return graph.Exp(l), graph.Sqrt(OneMinusExpNode(graph.Scale(l, 2)))
	case *SubVP:
		l := logMeanCoeffNode(v.BetaMin, v.BetaMax, t)
		return graph.Exp(l), OneMinusExpNode(graph.Scale(l, 2))
	case GraphSDE:
		return v.MarginalNodes(t)
	}
	panic(fmt.Sprintf("sde: MarginalNodes: SDE %T has no graph form (implement sde.GraphSDE)", s))
}

// DiffusionSqNodes builds g(t)^2 elementwise (the likelihood weighting):
//
//	VE:     sigma(t)^2 2 ln(s_max/s_min)
//	VP:     beta(t)
//	sub-VP: beta(t) (1 - e^{4 lmc})
func DiffusionSqNodes(s SDE, t *graph.Node) *graph.Node {
	switch v := s.(type) {
	case *VE:
		lr := math.Log(v.SigmaMax / v.SigmaMin)
		// sigma^2 = exp(2 log s_min + 2 t lr); fold the constant into the exponent.
		return graph.Exp(graph.Affine(t, 2*lr, 2*math.Log(v.SigmaMin)+math.Log(2*lr)))
	case *VP:
		return graph.Affine(t, v.BetaMax-v.BetaMin, v.BetaMin)
	case *SubVP:
		l := logMeanCoeffNode(v.BetaMin, v.BetaMax, t)
		beta := graph.Affine(t, v.BetaMax-v.BetaMin, v.BetaMin)
		return graph.Mul(beta, OneMinusExpNode(graph.Scale(l, 4)))
	case GraphSDE:
		return v.DiffusionSqNodes(t)
	}
	panic(fmt.Sprintf("sde: DiffusionSqNodes: SDE %T has no graph form (implement sde.GraphSDE)", s))
}

// VESigmaNode builds sigma(t) = exp(log s_min + t log(s_max/s_min)).
func VESigmaNode(v *VE, t *graph.Node) *graph.Node { return graph.Exp(VELogSigmaNode(v, t)) }

// VELogSigmaNode builds log sigma(t), an affine function of t (the input of
// score_sde's Gaussian Fourier embedding for VE models).
func VELogSigmaNode(v *VE, t *graph.Node) *graph.Node {
	return graph.Affine(t, math.Log(v.SigmaMax/v.SigmaMin), math.Log(v.SigmaMin))
}

// logMeanCoeffNode builds lmc = t (-(b_max-b_min)/4 t - b_min/2).
func logMeanCoeffNode(bmin, bmax float64, t *graph.Node) *graph.Node {
	return graph.Mul(t, graph.Affine(t, -0.25*(bmax-bmin), -0.5*bmin))
}

// oneMinusExpCut is where OneMinusExpNode switches from its series to
// 1 - e^a: the series' truncation error there is below 1e-13 relative, and
// 1 - e^a in float32 loses at most a few ulps beyond it.
const oneMinusExpCut = 0.25

// oneMinusExpTerms is the number of terms of the series of -expm1(a)/(-a).
const oneMinusExpTerms = 11

// OneMinusExpNode builds 1 - e^a = -expm1(a) for a <= 0 with full relative
// precision in float32: for |a| < 1/4 by its Taylor series (a polynomial in
// a, Horner), elsewhere as 1 - e^a, selected by a Step mask (whose gradient
// is zero, so the result stays differentiable piecewise). The naive 1 - e^a
// loses all digits near a = 0 in float32, e.g. the VP std at t = 1e-5.
func OneMinusExpNode(a *graph.Node) *graph.Node {
	// -expm1(a) = -a sum_{k>=0} a^k/(k+1)!
	coef := make([]float64, oneMinusExpTerms)
	f := 1.0
	for k := range coef {
		f *= float64(k + 1)
		coef[k] = 1 / f
	}
	k := len(coef) - 1
	p := graph.Affine(a, coef[k], coef[k-1])
	for k -= 2; k >= 0; k-- {
		p = graph.AddScalar(graph.Mul(p, a), coef[k])
	}
	series := graph.Neg(graph.Mul(p, a))
	direct := graph.OneMinus(graph.Exp(a))
	small := graph.Step(graph.AddScalar(a, oneMinusExpCut)) // 1 where a > -cut
	return graph.Add(graph.Mul(small, series), graph.Mul(graph.OneMinus(small), direct))
}
