package data

import "math"

// Perturbed densities. For a point x and a marginal x_t = m x_0 + s z, the
// perturbed mixture is sum_k w_k N(m mu_k, C_k), C_k = m^2 Sigma_k + s^2 I =
// Q_k diag(c_k) Q_k^T with c_kj = m^2 lambda_kj + s^2. With
// u_k = -C_k^{-1} (x - m mu_k) and responsibilities r_k:
//
//	score        s(x) = sum_k r_k u_k
//	Jacobian     J    = sum_k r_k (u_k u_k^T - C_k^{-1}) - s s^T
//	divergence   tr J = sum_k r_k (|u_k|^2 - tr C_k^{-1}) - |s|^2
//
// m = 1, s = 0 gives the data density itself.

type scratch struct {
	r, y, q []float64   // D
	lw      []float64   // K
	u       [][]float64 // K x D
}

// perturbed holds the per-call constants of the perturbed components:
// c_kj = m^2 lambda_kj + s^2, their inverses, log-normaliser and trace of C_k^{-1}.
type perturbed struct {
	m       float64
	c, ic   [][]float64 // K x D
	lognorm []float64   // log w_k - (D log 2 pi + log det C_k) / 2
	trP     []float64   // tr C_k^{-1}
}

func (g *GMM) perturb(m, s float64) *perturbed {
	d, k := g.d, len(g.comps)
	p := &perturbed{m: m, c: make([][]float64, k), ic: make([][]float64, k), lognorm: make([]float64, k), trP: make([]float64, k)}
	for i, cp := range g.comps {
		p.c[i], p.ic[i] = make([]float64, d), make([]float64, d)
		logdet, tr := 0.0, 0.0
		for j := 0; j < d; j++ {
			c := m*m*cp.lam[j] + s*s
			p.c[i][j], p.ic[i][j] = c, 1/c
			logdet += math.Log(c)
			tr += 1 / c
		}
		p.lognorm[i] = cp.logw - 0.5*(float64(d)*log2Pi+logdet)
		p.trP[i] = tr
	}
	return p
}

func (g *GMM) newScratch() *scratch {
	d, k := g.d, len(g.comps)
	sc := &scratch{r: make([]float64, d), y: make([]float64, d), q: make([]float64, d),
		lw: make([]float64, k), u: make([][]float64, k)}
	for i := range sc.u {
		sc.u[i] = make([]float64, d)
	}
	return sc
}

var log2Pi = math.Log(2 * math.Pi)

// point evaluates the component terms for one x: fills u and leaves the
// responsibilities in lw; returns log p(x).
func (g *GMM) point(x []float64, p *perturbed, sc *scratch) float64 {
	d := g.d
	m := p.m
	mx := math.Inf(-1)
	for k, cp := range g.comps {
		ic := p.ic[k]
		uk := sc.u[k]
		quad := 0.0
		if cp.iso {
			for j := 0; j < d; j++ {
				r := x[j] - m*cp.mu[j]
				qj := r * ic[j]
				quad += r * qj
				uk[j] = -qj
			}
		} else {
			for j := 0; j < d; j++ {
				sc.r[j] = x[j] - m*cp.mu[j]
			}
			for l := 0; l < d; l++ {
				acc := 0.0
				for j := 0; j < d; j++ {
					acc += cp.q[j*d+l] * sc.r[j]
				}
				qj := acc * ic[l]
				quad += acc * qj
				sc.q[l] = qj
			}
			for j := 0; j < d; j++ {
				acc := 0.0
				for l := 0; l < d; l++ {
					acc += cp.q[j*d+l] * sc.q[l]
				}
				uk[j] = -acc
			}
		}
		lw := p.lognorm[k] - 0.5*quad
		sc.lw[k] = lw
		mx = math.Max(mx, lw)
	}
	sum := 0.0
	for k, v := range sc.lw {
		e := math.Exp(v - mx)
		sc.lw[k] = e
		sum += e
	}
	inv := 1 / sum
	for k := range sc.lw {
		sc.lw[k] *= inv
	}
	return mx + math.Log(sum)
}

func (g *GMM) scoreFromResp(sc *scratch, out []float64) {
	clear(out)
	for k, r := range sc.lw {
		for j, v := range sc.u[k] {
			out[j] += r * v
		}
	}
}

func (g *GMM) forEach(n int, fn func(i int, sc *scratch)) {
	parallelFor(n, 256, func(lo, hi int) {
		sc := g.newScratch()
		for i := lo; i < hi; i++ {
			fn(i, sc)
		}
	})
}

// LogProbAt writes log p(x) of the mixture perturbed by x -> m x + s z for
// each point of x (out has N values).
func (g *GMM) LogProbAt(x []float64, m, s float64, out []float64) {
	d, p := g.d, g.perturb(m, s)
	g.forEach(len(x)/d, func(i int, sc *scratch) {
		out[i] = g.point(x[i*d:(i+1)*d], p, sc)
	})
}

// ScoreAt writes the score of the perturbed mixture (N*D values).
func (g *GMM) ScoreAt(x []float64, m, s float64, out []float64) {
	d, p := g.d, g.perturb(m, s)
	g.forEach(len(x)/d, func(i int, sc *scratch) {
		g.point(x[i*d:(i+1)*d], p, sc)
		g.scoreFromResp(sc, out[i*d:(i+1)*d])
	})
}

// DivAt writes the divergence (trace of the Jacobian) of the perturbed
// mixture's score at each point (N values).
func (g *GMM) DivAt(x []float64, m, s float64, out []float64) {
	d, p := g.d, g.perturb(m, s)
	g.forEach(len(x)/d, func(i int, sc *scratch) {
		g.point(x[i*d:(i+1)*d], p, sc)
		var div, ss float64
		sv := sc.y // reuse as score buffer
		clear(sv)
		for k, r := range sc.lw {
			uu := 0.0
			for j, v := range sc.u[k] {
				uu += v * v
				sv[j] += r * v
			}
			div += r * (uu - p.trP[k])
		}
		for _, v := range sv {
			ss += v * v
		}
		out[i] = div - ss
	})
}

// JVPAt writes J v for the perturbed mixture's score Jacobian J at each
// point, v and out being N*D values like x.
func (g *GMM) JVPAt(x, v []float64, m, s float64, out []float64) {
	d, p := g.d, g.perturb(m, s)
	g.forEach(len(x)/d, func(i int, sc *scratch) {
		xi, vi, oi := x[i*d:(i+1)*d], v[i*d:(i+1)*d], out[i*d:(i+1)*d]
		g.point(xi, p, sc)
		clear(oi)
		sv := sc.r
		clear(sv)
		for k, r := range sc.lw {
			cp := g.comps[k]
			uk := sc.u[k]
			uv := 0.0
			for j := 0; j < d; j++ {
				uv += uk[j] * vi[j]
				sv[j] += r * uk[j]
			}
			// P_k v = Q diag(1/c) Q^T v
			if cp.iso {
				for j := 0; j < d; j++ {
					oi[j] += r * (uk[j]*uv - vi[j]*p.ic[k][j])
				}
				continue
			}
			for l := 0; l < d; l++ {
				acc := 0.0
				for j := 0; j < d; j++ {
					acc += cp.q[j*d+l] * vi[j]
				}
				sc.q[l] = acc * p.ic[k][l]
			}
			for j := 0; j < d; j++ {
				acc := 0.0
				for l := 0; l < d; l++ {
					acc += cp.q[j*d+l] * sc.q[l]
				}
				oi[j] += r * (uk[j]*uv - acc)
			}
		}
		svv := 0.0
		for j := 0; j < d; j++ {
			svv += sv[j] * vi[j]
		}
		for j := 0; j < d; j++ {
			oi[j] -= sv[j] * svv
		}
	})
}

// Responsibilities writes the posterior component probabilities of the data
// density (m = 1, s = 0) for each point: N*K values.
func (g *GMM) Responsibilities(x []float64, out []float64) { g.PosteriorAt(x, 1, 0, out) }

// LogProb writes the exact log-density of the data (N values).
func (g *GMM) LogProb(x []float64, out []float64) { g.LogProbAt(x, 1, 0, out) }

// Score writes the exact score of the data (N*D values).
func (g *GMM) Score(x []float64, out []float64) { g.ScoreAt(x, 1, 0, out) }
