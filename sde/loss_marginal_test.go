package sde

import (
	"math"
	"testing"

	"github.com/sdevk/sdevk/graph"
)

// lossTestSDEs returns VE, VP and sub-VP with the given sigma_max and N.
func lossTestSDEs(t testing.TB, sigmaMax float64, n int) []SDE {
	t.Helper()
	ve, err := NewVE(0.01, sigmaMax, n)
	if err != nil {
		t.Fatal(err)
	}
	vp, err := NewVP(0.1, 20, n)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := NewSubVP(0.1, 20, n)
	if err != nil {
		t.Fatal(err)
	}
	return []SDE{ve, vp, sub}
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300) }

func TestMarginalNodesMatchFloat64(t *testing.T) {
	ts := []float64{1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.0249, 0.0251, 0.1, 0.3, 0.5, 0.77, 1}
	for _, f32 := range []bool{false, true} {
		for _, s := range lossTestSDEs(t, 50, 1000) {
			g := graph.New()
			tn := g.Input("t", len(ts))
			mean, std := MarginalNodes(s, tn)
			g2 := DiffusionSqNodes(s, tn)
			ref := graph.NewReference()
			ref.Float32 = f32
			out, err := ref.Run(graph.Feeds{tn: ts}, mean, std, g2)
			if err != nil {
				t.Fatal(err)
			}
			// float64: agreement to rounding; float32 (every node rounded, as
			// a device): relative precision near t = eps must survive.
			tol := 1e-12
			if f32 {
				tol = 2e-6
			}
			for i, tt := range ts {
				m, sd := s.Marginal(tt)
				gg := s.Diffusion(tt)
				for _, c := range []struct {
					what      string
					got, want float64
				}{{"mean", out[0][i], m}, {"std", out[1][i], sd}, {"g^2", out[2][i], gg * gg}} {
					if e := relErr(c.got, c.want); e > tol {
						t.Errorf("%v float32=%v t=%g: %s = %.12g, want %.12g (rel err %.2g)", s.Kind(), f32, tt, c.what, c.got, c.want, e)
					}
				}
			}
		}
	}
}

func TestOneMinusExpNode(t *testing.T) {
	var as []float64
	for a := -12.0; a < 0; a += 0.0137 {
		as = append(as, a)
	}
	as = append(as, -oneMinusExpCut, -oneMinusExpCut*(1-1e-12), -1e-7, -1e-12)
	g := graph.New()
	an := g.Input("a", len(as))
	y := OneMinusExpNode(an)
	gr, err := graph.Grad(graph.Sum(y), an)
	if err != nil {
		t.Fatal(err)
	}
	out, err := graph.NewReference().Run(graph.Feeds{an: as}, y, gr[0])
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, a := range as {
		if e := relErr(out[0][i], -math.Expm1(a)); e > 1e-13 {
			t.Errorf("1-e^%g = %.15g, want %.15g", a, out[0][i], -math.Expm1(a))
		} else {
			worst = max(worst, e)
		}
		if e := relErr(out[1][i], -math.Exp(a)); e > 2e-7 {
			t.Errorf("d/da (1-e^a) at %g = %.15g, want %.15g", a, out[1][i], -math.Exp(a))
		}
	}
	t.Logf("worst relative error %.2g", worst)
}
