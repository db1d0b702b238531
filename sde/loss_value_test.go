package sde

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
)

// testScore is s_i(x, t) = -(1+t) x_i + c tanh((A x)_i), a nonlinear score
// with a known Jacobian, as graph ops and in float64.
type testScore struct {
	a []float64 // D x D row-major
	c float64
	d int
}

func (ts testScore) Build(g *graph.Graph, x, t *graph.Node) *graph.Node {
	b := x.Shape()[0]
	lin := graph.Neg(graph.Mul(x, graph.Reshape(graph.AddScalar(t, 1), b, 1)))
	u := graph.MatMulT(x, g.Const(ts.a, ts.d, ts.d), false, true) // x A^T
	return graph.Add(lin, graph.Scale(graph.Tanh(u), ts.c))
}

// eval returns s(x, t) and its Jacobian J[i][j] = ds_i/dx_j for one point.
func (ts testScore) eval(x []float64, t float64) (s []float64, jac [][]float64) {
	d := ts.d
	s = make([]float64, d)
	jac = make([][]float64, d)
	for i := range d {
		u := 0.0
		for j := range d {
			u += ts.a[i*d+j] * x[j]
		}
		th := math.Tanh(u)
		s[i] = -(1+t)*x[i] + ts.c*th
		jac[i] = make([]float64, d)
		for j := range d {
			jac[i][j] = ts.c * (1 - th*th) * ts.a[i*d+j]
		}
		jac[i][i] -= 1 + t
	}
	return s, jac
}

func newTestScore(r *rand.Rand, d int) testScore {
	a := make([]float64, d*d)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	return testScore{a: a, c: 0.7, d: d}
}

func randData(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1.5 * r.NormFloat64()
	}
	return v
}

// runLoss builds c's loss and runs it with the draws as extra outputs.
type lossRun struct {
	loss float64
	per  []float64
	u, t []float64
	z, v []float64
}

func runLoss(t *testing.T, s SDE, net GraphScore, x0v []float64, b, d int, c LossConfig, seed uint64, step uint32) lossRun {
	t.Helper()
	g := graph.New()
	x0 := g.Input("x0", b, d)
	ln, err := BuildLoss(s, net, x0, c)
	if err != nil {
		t.Fatal(err)
	}
	outs := []*graph.Node{ln.Loss, ln.PerSample, ln.U, ln.T, ln.Z}
	if ln.V != nil {
		outs = append(outs, ln.V)
	}
	ref := graph.NewReference()
	ref.Seed, ref.Step = seed, step
	res, err := ref.Run(graph.Feeds{x0: x0v}, outs...)
	if err != nil {
		t.Fatal(err)
	}
	lr := lossRun{loss: res[0][0], per: res[1], u: res[2], t: res[3], z: res[4]}
	if ln.V != nil {
		lr.v = res[5]
	}
	return lr
}

func reduceSq(r []float64, mean bool) float64 {
	s := 0.0
	for _, v := range r {
		s += v * v
	}
	if mean {
		return s / float64(len(r))
	}
	return 0.5 * s
}

// wantPerSample recomputes the per-sample loss of c in float64 from the draws.
func wantPerSample(s SDE, ts testScore, x0 []float64, b, d int, c LossConfig, lr lossRun) (per, times []float64) {
	c = c.normalized()
	per = make([]float64, b)
	times = make([]float64, b)
	n := s.N()
	for i := range b {
		x := x0[i*d : (i+1)*d]
		z := lr.z[i*d : (i+1)*d]
		xt := make([]float64, d)
		switch c.Loss {
		case LossSMLD, LossDDPM:
			lvl := int(math.Ceil(lr.u[i]*float64(n))) - 1
			tt := float64(lvl) / float64(n-1)
			times[i] = tt
			if c.Loss == LossSMLD {
				sig := s.(*VE).DiscreteSigmas()[lvl]
				for j := range d {
					xt[j] = x[j] + sig*z[j]
				}
				sc, _ := ts.eval(xt, tt)
				r := make([]float64, d)
				for j := range d {
					r[j] = sc[j] - (-sig * z[j] / (sig * sig)) // score_sde's form
				}
				per[i] = reduceSq(r, c.ReduceMean) * sig * sig
			} else {
				abar := 1.0
				for _, a := range s.(*VP).DiscreteAlphas()[:lvl+1] {
					abar *= a
				}
				sa, s1 := math.Sqrt(abar), math.Sqrt(1-abar)
				for j := range d {
					xt[j] = sa*x[j] + s1*z[j]
				}
				sc, _ := ts.eval(xt, tt)
				r := make([]float64, d)
				for j := range d {
					r[j] = -sc[j]*s1 - z[j]
				}
				per[i] = reduceSq(r, c.ReduceMean)
			}
			continue
		}
		tt := c.Eps + (1-c.Eps)*lr.u[i]
		times[i] = tt
		m, sd := s.Marginal(tt)
		g2 := s.Diffusion(tt) * s.Diffusion(tt)
		for j := range d {
			xt[j] = m*x[j] + sd*z[j]
		}
		sc, jac := ts.eval(xt, tt)
		w := sd * sd
		if c.LikelihoodWeighting {
			w = g2
		}
		if c.ReduceMean {
			w *= 2 / float64(d)
		}
		norm2 := 0.0
		for _, v := range sc {
			norm2 += v * v
		}
		switch c.Loss {
		case LossDSM:
			r := make([]float64, d)
			for j := range d {
				if c.LikelihoodWeighting {
					r[j] = sc[j] + z[j]/sd
				} else {
					r[j] = sc[j]*sd + z[j]
				}
			}
			per[i] = reduceSq(r, c.ReduceMean)
			if c.LikelihoodWeighting {
				per[i] *= g2
			}
		case LossExact:
			tr := 0.0
			for j := range d {
				tr += jac[j][j]
			}
			per[i] = w * (tr + norm2/2)
		case LossSSM, LossSSMVR:
			p := c.NParticles
			acc := 0.0
			for k := range p {
				v := lr.v[(k*b+i)*d : (k*b+i+1)*d]
				vjv, vs := 0.0, 0.0
				for a := range d {
					vs += v[a] * sc[a]
					for bb := range d {
						vjv += v[a] * jac[a][bb] * v[bb]
					}
				}
				acc += vjv
				if c.Loss == LossSSM {
					acc += vs * vs / 2
				} else {
					acc += norm2 / 2
				}
			}
			per[i] = w * acc / float64(p)
		}
	}
	return per, times
}

func TestLossValuesAgainstFloat64(t *testing.T) {
	const b, d = 7, 3
	r := rand.New(rand.NewPCG(1, 2))
	ts := newTestScore(r, d)
	x0 := randData(r, b*d)
	sdes := lossTestSDEs(t, 5, 40)
	ve, vp := sdes[0], sdes[1]
	vp100, _ := NewVP(0.1, 20, 100)
	cases := []struct {
		s SDE
		c LossConfig
	}{
		{ve, LossConfig{Loss: LossDSM}},
		{vp, LossConfig{Loss: LossDSM, ReduceMean: true}},
		{sdes[2], LossConfig{Loss: LossDSM, LikelihoodWeighting: true}},
		{ve, LossConfig{Loss: LossDSM, LikelihoodWeighting: true, ReduceMean: true, Eps: 0.1}},
		{ve, LossConfig{Loss: LossSMLD}},
		{ve, LossConfig{Loss: LossSMLD, ReduceMean: true}},
		{vp100, LossConfig{Loss: LossDDPM}},
		{vp100, LossConfig{Loss: LossDDPM, ReduceMean: true}},
		{ve, LossConfig{Loss: LossExact}},
		{vp, LossConfig{Loss: LossExact, ReduceMean: true, LikelihoodWeighting: true}},
		{sdes[2], LossConfig{Loss: LossSSM, NParticles: 3}},
		{ve, LossConfig{Loss: LossSSM, Projection: ProjGaussian, ReduceMean: true}},
		{vp, LossConfig{Loss: LossSSMVR, NParticles: 2, Projection: ProjSphere}},
		{ve, LossConfig{Loss: LossSSMVR, NParticles: 4, LikelihoodWeighting: true}},
	}
	for _, tc := range cases {
		lr := runLoss(t, tc.s, ts, x0, b, d, tc.c, 42, 3)
		per, times := wantPerSample(tc.s, ts, x0, b, d, tc.c, lr)
		mean := 0.0
		for i := range b {
			mean += per[i] / b
			if e := relErr(lr.t[i], times[i]); e > 1e-12 {
				t.Errorf("%v %+v: t[%d] = %g, want %g", tc.s.Kind(), tc.c, i, lr.t[i], times[i])
			}
			if e := relErr(lr.per[i], per[i]); e > 1e-9 {
				t.Errorf("%v %+v: per-sample loss %d = %.12g, want %.12g", tc.s.Kind(), tc.c, i, lr.per[i], per[i])
			}
		}
		if e := relErr(lr.loss, mean); e > 1e-9 {
			t.Errorf("%v %+v: loss = %.12g, want %.12g", tc.s.Kind(), tc.c, lr.loss, mean)
		}
		if tc.c.Projection == ProjRademacher && lr.v != nil {
			for _, v := range lr.v {
				if v != 1 && v != -1 {
					t.Fatalf("Rademacher projection value %g", v)
				}
			}
		}
		if tc.c.Projection == ProjSphere {
			for k := 0; k < len(lr.v); k += d {
				n2 := 0.0
				for _, v := range lr.v[k : k+d] {
					n2 += v * v
				}
				if math.Abs(n2-float64(d)) > 1e-9 {
					t.Fatalf("sphere projection has |v|^2 = %g, want %d", n2, d)
				}
			}
		}
	}
}

// Every level of the ladder is drawn, uniformly, by the one-hot lookup.
func TestLevelDrawUniform(t *testing.T) {
	const n, b = 10, 4000
	g := graph.New()
	u := g.RandUniform(7, b)
	oh := levelOneHot(u, n)
	res, err := graph.NewReference().Run(nil, u, oh)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, n)
	for i := range b {
		sum, arg := 0.0, -1
		for j := range n {
			v := res[1][i*n+j]
			sum += v
			if v == 1 {
				arg = j
			}
		}
		if sum != 1 || arg != int(math.Ceil(res[0][i]*n))-1 {
			t.Fatalf("row %d (u=%g): sum %g, level %d", i, res[0][i], sum, arg)
		}
		counts[arg]++
	}
	for j, c := range counts {
		if math.Abs(float64(c)-b/n) > 4*math.Sqrt(b/n) {
			t.Errorf("level %d drawn %d times of %d", j, c, b)
		}
	}
	// u n exactly an integer (possible after float32 rounding) still gives
	// one level.
	g = graph.New()
	ui := g.Input("u", 3)
	oh = levelOneHot(ui, n)
	res, err = graph.NewReference().Run(graph.Feeds{ui: {0.3, 1, 1e-9}}, oh)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, n - 1, 0} {
		for j := range n {
			if w := float64(b2i(j == want)); res[0][i*n+j] != w {
				t.Fatalf("row %d: one-hot %v, want level %d", i, res[0][i*n:(i+1)*n], want)
			}
		}
	}
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func TestLossConfigValidate(t *testing.T) {
	sdes := lossTestSDEs(t, 5, 40)
	ok := []LossConfig{{}, DefaultLossConfig(), {Loss: "SSM_VR", Projection: "Sphere", NParticles: 2}}
	for _, c := range ok {
		if err := c.Validate(sdes[0]); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []struct {
		s SDE
		c LossConfig
	}{
		{sdes[0], LossConfig{Loss: "dsn"}},
		{sdes[0], LossConfig{Loss: "ssm", Projection: "cube"}},
		{sdes[0], LossConfig{Loss: "ssm", NParticles: -1}},
		{sdes[0], LossConfig{Eps: -1}},
		{sdes[0], LossConfig{Eps: 1}},
		{sdes[1], LossConfig{Loss: "smld"}},
		{sdes[0], LossConfig{Loss: "ddpm"}},
		{sdes[2], LossConfig{Loss: "ddpm"}},
		{sdes[0], LossConfig{Loss: "smld", LikelihoodWeighting: true}},
	}
	for _, tc := range bad {
		if err := tc.c.Validate(tc.s); err == nil {
			t.Errorf("%v %+v: no error", tc.s.Kind(), tc.c)
		} else {
			t.Log(err)
		}
		g := graph.New()
		if _, err := BuildLoss(tc.s, testScore{a: []float64{1}, d: 1}, g.Input("x", 2, 1), tc.c); err == nil {
			t.Errorf("BuildLoss %v %+v: no error", tc.s.Kind(), tc.c)
		}
	}
	// A model returning the wrong shape is an error, not a silent broadcast.
	g := graph.New()
	wrong := GraphScoreFunc(func(g *graph.Graph, x, t *graph.Node) *graph.Node { return graph.SliceAxis(x, 1, 0, 1) })
	for _, l := range LossNames {
		s := sdes[0]
		if l == LossDDPM {
			s = sdes[1]
		}
		if _, err := BuildLoss(s, wrong, g.Input("x"+l, 2, 2), LossConfig{Loss: l}); err == nil {
			t.Errorf("%s: wrong model shape accepted", l)
		}
	}
}
