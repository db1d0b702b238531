package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk/kernels"
)

// LogLikelihood computes log p_0(x) of the b points x [b, d] through the
// probability-flow ODE, integrated with the divergence term from eps to T by
// RK45 on the device (score_sde's method; the state and its log-density
// change form one system for the error norm):
// log p_0(x) = log p_T(x_T) + integral_eps^T div f~(x_t, t) dt.
// The divergence is the score model's (DivScore): exact for the oracle, or
// its estimate with fixed probes. The result is the reference's type
// (sde.LikelihoodResult), so callers read either backend the same way.
func LogLikelihood(lib *kernels.Lib, s sde.SDE, score DivScore, x []float32, b, d int, rtol, atol, eps float64) (*sde.LikelihoodResult, error) {
	if len(x) != b*d {
		return nil, fmt.Errorf("sampling: %d values for %d points of dimension %d", len(x), b, d)
	}
	if eps == 0 {
		eps = sde.LikelihoodEps
	}
	smp, err := newSamplerCap(lib, score, b, d, odeMaxEvals, odeMaxComb*odeCombWidth, s.PriorStd(), 0)
	if err != nil {
		return nil, err
	}
	defer smp.Close()
	v, err := newODEVectors(lib, smp, s, true)
	if err != nil {
		return nil, err
	}
	defer v.close()
	init := make([]float32, v.total)
	copy(init, x)
	if err := v.slots[sde.RKY].Upload(init); err != nil {
		return nil, err
	}
	st, err := sde.SolveRK45On(v, eps, s.T(), sde.RK45Options{RTol: rtol, ATol: atol})
	if err != nil {
		return nil, err
	}
	if err := v.flush(); err != nil {
		return nil, err
	}
	final := make([]float32, v.total)
	if err := v.slots[sde.RKY].Download(final); err != nil {
		return nil, err
	}
	r := &sde.LikelihoodResult{LogP: make([]float64, b), PriorLogP: make([]float64, b), DeltaLogP: make([]float64, b)}
	xT := make([]float64, b*d)
	for i := range xT {
		xT[i] = float64(final[i])
	}
	sde.PriorLogP(s, xT, d, r.PriorLogP)
	for i := range r.LogP {
		r.DeltaLogP[i] = float64(final[v.logp+i])
		r.LogP[i] = r.PriorLogP[i] + r.DeltaLogP[i]
		r.MeanLogP += r.LogP[i] / float64(b)
	}
	r.NatsPerDim = -r.MeanLogP / float64(d)
	r.ZT, r.Stats, r.NFE = xT, st, st.NFE
	return r, nil
}
