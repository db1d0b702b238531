package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/sde"
)

func testSDEs(t *testing.T) (ve, vp, sub sde.SDE) {
	t.Helper()
	var err error
	if ve, err = sde.NewVE(0.01, 50, 1000); err != nil {
		t.Fatal(err)
	}
	if vp, err = sde.NewVP(0.1, 20, 1000); err != nil {
		t.Fatal(err)
	}
	if sub, err = sde.NewSubVP(0.1, 20, 1000); err != nil {
		t.Fatal(err)
	}
	return ve, vp, sub
}

func silu(x float64) float64 { return x / (1 + math.Exp(-x)) }

// denseF computes x W + b for one row.
func denseF(x, w, b []float64) []float64 {
	out := append([]float64(nil), b...)
	n := len(b)
	for i, xi := range x {
		for j := range n {
			out[j] += xi * w[i*n+j]
		}
	}
	return out
}

// forwardF is an independent float64 forward pass of the MLP for one point.
func forwardF(m *MLP, s sde.SDE, st graph.Store, x []float64, t float64) (raw, score []float64) {
	c := m.Config()
	p := func(n string) []float64 { return st[c.Prefix+n] }
	var emb []float64
	if c.Embed == EmbedFourier {
		cond := t
		if ve, ok := s.(*sde.VE); ok {
			cond = math.Log(ve.Sigma(t))
		}
		w := p("temb.fourier")
		emb = make([]float64, 2*len(w))
		for j, wj := range w {
			emb[j], emb[len(w)+j] = math.Sincos(2 * math.Pi * cond * wj)
		}
	} else {
		h := c.EmbedDim / 2
		emb = make([]float64, 2*h)
		for j := range h {
			f := math.Exp(-math.Log(10000) * float64(j) / float64(h-1))
			emb[j], emb[h+j] = math.Sincos(t * float64(s.N()-1) * f)
		}
	}
	act := func(v []float64) []float64 {
		for i := range v {
			switch c.Act {
			case ActTanh:
				v[i] = math.Tanh(v[i])
			case ActSoftplus:
				v[i] = math.Log1p(math.Exp(v[i]))
			case ActELU:
				if v[i] < 0 {
					v[i] = math.Expm1(v[i])
				}
			default:
				v[i] = silu(v[i])
			}
		}
		return v
	}
	e := denseF(emb, p("temb.0.w"), p("temb.0.b"))
	for i := range e {
		e[i] = silu(e[i])
	}
	temb := denseF(e, p("temb.1.w"), p("temb.1.b"))
	var h []float64
	if c.Combine == CombineAdd {
		h = denseF(x, p("h0.w"), p("h0.b"))
		for i := range h {
			h[i] += temb[i]
		}
	} else {
		h = denseF(append(append([]float64(nil), x...), temb...), p("h0.w"), p("h0.b"))
	}
	h = act(h)
	for l := 1; l < c.Layers; l++ {
		h = act(denseF(h, p(layerName(l)+".w"), p(layerName(l)+".b")))
	}
	raw = denseF(h, p("out.w"), p("out.b"))
	score = make([]float64, len(raw))
	_, std := s.Marginal(t)
	for i, v := range raw {
		switch c.Param {
		case ParamNoise:
			score[i] = -v / std
		case ParamScaled:
			score[i] = v / std
		default:
			score[i] = v
		}
	}
	return raw, score
}

func layerName(l int) string { return "h" + string(rune('0'+l)) }

func TestMLPForwardMatchesFloat64(t *testing.T) {
	ve, vp, sub := testSDEs(t)
	cases := []struct {
		s sde.SDE
		c MLPConfig
	}{
		{ve, MLPConfig{Dim: 2, Hidden: 8, Layers: 3}},
		{vp, MLPConfig{Dim: 3, Hidden: 6, Act: ActSoftplus, Combine: CombineAdd}},
		{sub, MLPConfig{Dim: 2, Hidden: 5, Act: ActTanh, Embed: EmbedFourier, EmbedDim: 6}},
		{ve, MLPConfig{Dim: 1, Hidden: 4, Act: ActELU, Embed: EmbedSinusoidal, Param: ParamDirect}},
		{vp, MLPConfig{Dim: 2, Hidden: 4, Layers: 1, Param: ParamDirect, TembDim: 7}},
	}
	const b = 5
	r := rand.New(rand.NewPCG(8, 9))
	for _, tc := range cases {
		m, err := NewMLP(tc.s, tc.c)
		if err != nil {
			t.Fatal(err)
		}
		c := m.Config()
		d := c.Dim
		g := graph.New()
		x := g.Input("x", b, d)
		tn := g.Input("t", b)
		score := m.Build(g, x, tn)
		raw := m.BuildRaw(g, x, tn)
		noise := m.BuildNoise(g, x, tn)
		_ = m.Build(g, x, tn) // reuses the params
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		// The graph's params are exactly the specs, in order.
		gp := g.Params()
		specs := m.Params()
		if len(gp) != len(specs) {
			t.Fatalf("%d graph params, %d specs", len(gp), len(specs))
		}
		for i, p := range specs {
			if gp[i].Name() != p.Name || !gp[i].Shape().Equal(p.Shape) {
				t.Fatalf("param %d: graph %v, spec %s %v", i, gp[i], p.Name, p.Shape)
			}
		}
		ref := graph.NewReference()
		if ref.Params, err = InitParams(specs, 3); err != nil {
			t.Fatal(err)
		}
		for _, p := range specs {
			if p.Init.Kind == InitZeros {
				for i := range ref.Params[p.Name] {
					ref.Params[p.Name][i] = 0.2 * r.NormFloat64()
				}
			}
		}
		xs := make([]float64, b*d)
		for i := range xs {
			xs[i] = 2 * r.NormFloat64()
		}
		ts := []float64{1e-3, 0.1, 0.37, 0.8, 1}
		out, err := ref.Run(graph.Feeds{x: xs, tn: ts}, score, raw, noise)
		if err != nil {
			t.Fatal(err)
		}
		for i := range b {
			wr, ws := forwardF(m, tc.s, ref.Params, xs[i*d:(i+1)*d], ts[i])
			_, std := tc.s.Marginal(ts[i])
			for j := range d {
				k := i*d + j
				if math.Abs(out[1][k]-wr[j]) > 1e-10*(1+math.Abs(wr[j])) || math.Abs(out[0][k]-ws[j]) > 1e-9*(1+math.Abs(ws[j])) {
					t.Fatalf("%v %+v: point %d: raw %g score %g, want %g %g", tc.s.Kind(), c, i, out[1][k], out[0][k], wr[j], ws[j])
				}
				// BuildNoise is the epsilon prediction -score std.
				if math.Abs(out[2][k]+ws[j]*std) > 1e-9*(1+math.Abs(ws[j]*std)) {
					t.Fatalf("%v: noise %g, want %g", tc.s.Kind(), out[2][k], -ws[j]*std)
				}
			}
		}
		// Rows are independent: changing point 0 leaves the others.
		xs2 := append([]float64(nil), xs...)
		xs2[0] += 1
		out2, err := ref.Run(graph.Feeds{x: xs2, tn: ts}, score)
		if err != nil {
			t.Fatal(err)
		}
		for k := d; k < b*d; k++ {
			if out2[0][k] != out[0][k] {
				t.Fatalf("output %d changed with point 0", k)
			}
		}
	}
}

func TestMLPDefaultsAndErrors(t *testing.T) {
	ve, vp, sub := testSDEs(t)
	m, err := NewMLP(ve, MLPConfig{Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config()
	if c.Hidden != 128 || c.Layers != 2 || c.Act != ActSiLU || c.Embed != EmbedFourier || c.FourierScale != 16 ||
		c.Param != ParamScaled || c.Combine != CombineConcat || c.EmbedDim != 128 {
		t.Errorf("VE defaults: %+v", c)
	}
	for _, s := range []sde.SDE{vp, sub} {
		m, err := NewMLP(s, MLPConfig{Dim: 2})
		if err != nil {
			t.Fatal(err)
		}
		if c := m.Config(); c.Embed != EmbedSinusoidal || c.Param != ParamNoise {
			t.Errorf("%v defaults: %+v", s.Kind(), c)
		}
	}
	// The Fourier frequencies are frozen: not in the trainable list.
	g := graph.New()
	m.Build(g, g.Input("x", 3, 2), g.Input("t", 3))
	tr := Trainable(g, m.Params())
	if len(tr) != len(m.Params())-1 {
		t.Errorf("%d trainable of %d params", len(tr), len(m.Params()))
	}
	for _, n := range tr {
		if n.Name() == "score.temb.fourier" {
			t.Error("Fourier frequencies are trainable")
		}
	}
	bad := []struct {
		s sde.SDE
		c MLPConfig
	}{
		{ve, MLPConfig{}},
		{ve, MLPConfig{Dim: 2, Act: "relu6"}},
		{ve, MLPConfig{Dim: 2, EmbedDim: 5}},
		{vp, MLPConfig{Dim: 2, EmbedDim: 2}},
		{ve, MLPConfig{Dim: 2, Embed: "learned"}},
		{ve, MLPConfig{Dim: 2, Combine: "mul"}},
		{vp, MLPConfig{Dim: 2, Param: ParamScaled}},
		{ve, MLPConfig{Dim: 2, Layers: -1}},
	}
	for _, b := range bad {
		if _, err := NewMLP(b.s, b.c); err == nil {
			t.Errorf("%v %+v: no error", b.s.Kind(), b.c)
		}
	}
	if p, err := ParseParameterisation("Noise"); err != nil || p != ParamNoise {
		t.Error(p, err)
	}
	if _, err := ParseParameterisation("eps"); err == nil {
		t.Error("no error for eps")
	}
}

func TestInitializers(t *testing.T) {
	cases := []struct {
		init    Init
		shape   []int
		wantVar float64
		bound   float64 // 0: none
	}{
		{Init{Kind: InitGlorotUniform}, []int{200, 300}, 2.0 / 500, math.Sqrt(6.0 / 500)},
		{Init{Kind: InitGlorotNormal}, []int{200, 300}, 2.0 / 500, 0},
		{Init{Kind: InitLecunNormal}, []int{250, 200}, 1.0 / 250, 0},
		{Init{Kind: InitLecunUniform, Scale: 3}, []int{250, 200}, 3.0 / 250, math.Sqrt(9.0 / 250)},
		{Init{Kind: InitHeNormal}, []int{100, 500}, 2.0 / 100, 0},
		{Init{Kind: InitHeUniform}, []int{64, 32, 3, 3}, 2.0 / (32 * 9), math.Sqrt(6.0 / (32 * 9))},
		{Init{Kind: InitNormal, Scale: 16}, []int{50000}, 256, 0},
		{Init{Kind: InitLecunNormal, FanIn: 10}, []int{300, 200}, 0.1, 0},
	}
	for _, tc := range cases {
		p := ParamSpec{Name: "w", Shape: tc.shape, Init: tc.init}
		v, err := InitValues(p, 1)
		if err != nil {
			t.Fatal(err)
		}
		m, s2 := 0.0, 0.0
		for _, x := range v {
			m += x
			s2 += x * x
			if tc.bound > 0 && math.Abs(x) > tc.bound {
				t.Fatalf("%v: %g outside +-%g", tc.init.Kind, x, tc.bound)
			}
		}
		n := float64(len(v))
		vr := s2/n - (m/n)*(m/n)
		if math.Abs(vr/tc.wantVar-1) > 0.03 || math.Abs(m/n) > 4*math.Sqrt(tc.wantVar/n) {
			t.Errorf("%v %v: mean %g variance %g, want 0 and %g", tc.init.Kind, tc.shape, m/n, vr, tc.wantVar)
		}
		v2, _ := InitValues(p, 1)
		v3, _ := InitValues(p, 2)
		p.Name = "w2"
		v4, _ := InitValues(p, 1)
		if v2[7] != v[7] || v3[7] == v[7] || v4[7] == v[7] {
			t.Errorf("%v: not a deterministic function of (seed, name)", tc.init.Kind)
		}
	}
	for _, k := range []InitKind{InitZeros, InitOnes} {
		v, _ := InitValues(ParamSpec{Name: "b", Shape: []int{3}, Init: Init{Kind: k}}, 1)
		if v[0] != float64(k-InitZeros) || v[2] != v[0] {
			t.Errorf("%v: %v", k, v)
		}
	}
	ve, _, _ := testSDEs(t)
	m, _ := NewMLP(ve, MLPConfig{Dim: 2, Hidden: 8})
	st, err := InitParams(m.Params(), 4)
	if err != nil {
		t.Fatal(err)
	}
	st32, err := InitParams32(m.Params(), 4)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range st {
		for i := range v {
			if st32[k][i] != float32(v[i]) {
				t.Fatalf("%s[%d]: float32 %g, float64 %g", k, i, st32[k][i], v[i])
			}
		}
	}
	if _, err := InitParams([]ParamSpec{{Name: "a", Shape: []int{1}}, {Name: "a", Shape: []int{1}}}, 1); err == nil {
		t.Error("duplicate names accepted")
	}
	for i, n := range initNames {
		if k, err := ParseInitKind(n); err != nil || int(k) != i {
			t.Errorf("ParseInitKind(%q) = %v, %v", n, k, err)
		}
	}
	if fi, fo := (Init{}).Fans([]int{8, 4, 3, 3}); fi != 36 || fo != 72 {
		t.Errorf("conv fans %d %d", fi, fo)
	}
}
