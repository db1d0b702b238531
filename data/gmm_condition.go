package data

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Condition is the exact conditional p(x_U | x_O = a) of the mixture, the
// target of point inpainting: known maps each observed coordinate to its
// value, and the result is a mixture over the remaining coordinates U (in
// increasing order) with, per component,
//
//	w'_k     proportional to w_k N(a; mu_kO, S_kOO)
//	mu'_k    = mu_kU + S_kUO S_kOO^{-1} (a - mu_kO)
//	Sigma'_k = S_kUU - S_kUO S_kOO^{-1} S_kOU.
func (g *GMM) Condition(known map[int]float64) (*GMM, []int, error) {
	d := g.d
	var obs, free []int
	for j := 0; j < d; j++ {
		if _, ok := known[j]; ok {
			obs = append(obs, j)
		} else {
			free = append(free, j)
		}
	}
	for j := range known {
		if j < 0 || j >= d {
			return nil, nil, fmt.Errorf("known coordinate %d is out of range 0..%d", j, d-1)
		}
	}
	if len(free) == 0 {
		return nil, nil, fmt.Errorf("every coordinate is known: nothing to sample")
	}
	sort.Ints(obs)
	a := mat.NewVecDense(max(len(obs), 1), nil)
	for i, j := range obs {
		a.SetVec(i, known[j])
	}
	comps := make([]Component, len(g.comps))
	logw := make([]float64, len(g.comps))
	for k := range g.comps {
		mu, cov := g.comps[k].mu, mat.NewSymDense(d, g.Cov(k))
		c, lw, err := conditionGaussian(mu, cov, obs, free, a)
		if err != nil {
			return nil, nil, fmt.Errorf("component %d: %v", k+1, err)
		}
		comps[k], logw[k] = c, g.comps[k].logw+lw
	}
	mx := math.Inf(-1)
	for _, v := range logw {
		mx = math.Max(mx, v)
	}
	for k := range comps {
		// NewGMM rejects zero weights; a component the observation rules
		// out keeps a negligible positive one.
		comps[k].Weight = math.Max(math.Exp(logw[k]-mx), 1e-300)
	}
	cg, err := NewGMM(comps)
	return cg, free, err
}

// conditionGaussian conditions N(mu, cov) on x_obs = a: the Gaussian over
// free and log N(a; mu_O, cov_OO).
func conditionGaussian(mu []float64, cov *mat.SymDense, obs, free []int, a *mat.VecDense) (Component, float64, error) {
	nf := len(free)
	cUU := mat.NewDense(nf, nf, nil)
	meanU := make([]float64, nf)
	for i, p := range free {
		meanU[i] = mu[p]
		for j, q := range free {
			cUU.Set(i, j, cov.At(p, q))
		}
	}
	lognorm := 0.0
	if len(obs) > 0 {
		no := len(obs)
		cOO := mat.NewSymDense(no, nil)
		cUO := mat.NewDense(nf, no, nil)
		r := mat.NewVecDense(no, nil)
		for i, p := range obs {
			r.SetVec(i, a.AtVec(i)-mu[p])
			for j, q := range obs {
				cOO.SetSym(i, j, cov.At(p, q))
			}
			for j, q := range free {
				cUO.Set(j, i, cov.At(q, p))
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(cOO) {
			return Component{}, 0, fmt.Errorf("observed covariance is not positive-definite")
		}
		var sr mat.VecDense // S_OO^{-1} (a - mu_O)
		if err := ch.SolveVecTo(&sr, r); err != nil {
			return Component{}, 0, err
		}
		var shift mat.VecDense
		shift.MulVec(cUO, &sr)
		for i := range meanU {
			meanU[i] += shift.AtVec(i)
		}
		var sOU mat.Dense // S_OO^{-1} S_OU
		if err := ch.SolveTo(&sOU, cUO.T()); err != nil {
			return Component{}, 0, err
		}
		var corr mat.Dense
		corr.Mul(cUO, &sOU)
		cUU.Sub(cUU, &corr)
		lognorm = -0.5 * (mat.Dot(r, &sr) + ch.LogDet() + float64(no)*log2Pi)
	}
	rows := make([][]float64, nf)
	for i := range rows {
		rows[i] = make([]float64, nf)
		for j := range rows[i] {
			rows[i][j] = 0.5 * (cUU.At(i, j) + cUU.At(j, i)) // exact symmetry for NewGMM
		}
	}
	return Component{Weight: 1, Mean: meanU, Cov: rows}, lognorm, nil
}
