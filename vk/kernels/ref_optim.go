package kernels

import "math"

// AdamRef is the float64 reference of AdamStep: Adam / AdamW with linear
// warm-up, global gradient-norm clipping and bias correction.
type AdamRef struct {
	Cfg  AdamConfig
	LR   float64
	Step int
	M, V [][]float64
}

// NewAdamRef returns a reference optimiser for buffers of the given sizes.
func NewAdamRef(cfg AdamConfig, lr float64, sizes []int) *AdamRef {
	a := &AdamRef{Cfg: cfg, LR: lr}
	for _, n := range sizes {
		a.M = append(a.M, make([]float64, n))
		a.V = append(a.V, make([]float64, n))
	}
	return a
}

// Update applies one step to params in place and returns the global
// gradient norm.
func (a *AdamRef) Update(params, grads [][]float64) float64 {
	c := a.Cfg
	ss := 0.0
	for _, g := range grads {
		for _, x := range g {
			ss += x * x
		}
	}
	norm := math.Sqrt(ss)
	clip := 1.0
	if c.Clip > 0 {
		clip = math.Min(1, c.Clip/norm)
	}
	a.Step++
	t := float64(a.Step)
	lr := a.LR
	if c.Warmup > 0 {
		lr *= math.Min(t/float64(c.Warmup), 1)
	}
	bc1, bc2 := 1-math.Pow(c.Beta1, t), 1-math.Pow(c.Beta2, t)
	for b, p := range params {
		m, v := a.M[b], a.V[b]
		for i := range p {
			g := grads[b][i] * clip
			if !c.Decoupled {
				g += c.WeightDecay * p[i]
			}
			m[i] = c.Beta1*m[i] + (1-c.Beta1)*g
			v[i] = c.Beta2*v[i] + (1-c.Beta2)*g*g
			upd := lr / bc1 * m[i] / (math.Sqrt(v[i]/bc2) + c.Eps)
			if c.Decoupled {
				upd += lr * c.WeightDecay * p[i]
			}
			p[i] -= upd
		}
	}
	return norm
}

// EMARef applies ema = r ema + (1 - r) param in place, r = rate or, with
// warm, min(rate, (1 + step) / (10 + step)).
func EMARef(ema, param []float64, rate float64, step int, warm bool) {
	r := rate
	if warm {
		r = math.Min(r, (1+float64(step))/(10+float64(step)))
	}
	for i := range ema {
		ema[i] = r*ema[i] + (1-r)*param[i]
	}
}
