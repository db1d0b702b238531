package sde_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// The training gradient of every objective with respect to the parameters
// of a tiny MLP score net matches central finite differences of the loss
// (float64 reference executor, fixed seed and step, so the draws are the
// same in every run). For exact / ssm / ssm_vr this is a second-order
// derivative through the model's input Jacobian.
func TestLossGradientsMLPFiniteDifferences(t *testing.T) {
	ve, err := sde.NewVE(0.01, 5, 40)
	if err != nil {
		t.Fatal(err)
	}
	vp, err := sde.NewVP(0.1, 20, 100)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := sde.NewSubVP(0.1, 20, 100)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		s   sde.SDE
		c   sde.LossConfig
		mlp model.MLPConfig
	}{
		{ve, sde.LossConfig{Loss: sde.LossDSM}, model.MLPConfig{}},
		{vp, sde.LossConfig{Loss: sde.LossDSM, LikelihoodWeighting: true, ReduceMean: true}, model.MLPConfig{Act: model.ActSoftplus}},
		{ve, sde.LossConfig{Loss: sde.LossSMLD}, model.MLPConfig{Combine: model.CombineAdd, Act: model.ActTanh}},
		{vp, sde.LossConfig{Loss: sde.LossDDPM}, model.MLPConfig{}},
		{sub, sde.LossConfig{Loss: sde.LossExact}, model.MLPConfig{Act: model.ActTanh}},
		{ve, sde.LossConfig{Loss: sde.LossExact, ReduceMean: true}, model.MLPConfig{Embed: model.EmbedSinusoidal}},
		{vp, sde.LossConfig{Loss: sde.LossSSM, NParticles: 2, Projection: sde.ProjGaussian}, model.MLPConfig{}},
		{ve, sde.LossConfig{Loss: sde.LossSSMVR, NParticles: 3, Projection: sde.ProjSphere}, model.MLPConfig{Act: model.ActSoftplus}},
		{sub, sde.LossConfig{Loss: sde.LossSSMVR, LikelihoodWeighting: true}, model.MLPConfig{Combine: model.CombineAdd}},
	}
	const b, d = 3, 2
	r := rand.New(rand.NewPCG(3, 4))
	x0v := make([]float64, b*d)
	for i := range x0v {
		x0v[i] = r.NormFloat64()
	}
	for ci, tc := range cases {
		name := fmt.Sprintf("%v/%s", tc.s.Kind(), tc.c.Loss)
		mc := tc.mlp
		mc.Dim, mc.Hidden, mc.Layers, mc.EmbedDim = d, 4, 2, 4
		if mc.Combine != model.CombineAdd {
			mc.TembDim = 3
		}
		net, err := model.NewMLP(tc.s, mc)
		if err != nil {
			t.Fatal(err)
		}
		g := graph.New()
		x0 := g.Input("x0", b, d)
		ln, err := sde.BuildLoss(tc.s, net, x0, tc.c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		params := model.Trainable(g, net.Params())
		grads, err := graph.Grad(ln.Loss, params...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ref := graph.NewReference()
		ref.Seed, ref.Step = 77, uint32(ci)
		if ref.Params, err = model.InitParams(net.Params(), 5); err != nil {
			t.Fatal(err)
		}
		// Non-zero biases, so that every parameter matters.
		for _, p := range net.Params() {
			if p.Init.Kind == model.InitZeros {
				for i := range ref.Params[p.Name] {
					ref.Params[p.Name][i] = 0.3 * r.NormFloat64()
				}
			}
		}
		feeds := graph.Feeds{x0: x0v}
		res, err := ref.Run(feeds, append([]*graph.Node{ln.Loss}, grads...)...)
		if err != nil {
			t.Fatal(err)
		}
		loss := func() float64 {
			out, err := ref.Run(feeds, ln.Loss)
			if err != nil {
				t.Fatal(err)
			}
			return out[0][0]
		}
		if l := loss(); l != res[0][0] {
			t.Fatalf("%s: loss not reproducible: %g then %g", name, res[0][0], l)
		}
		worst, n := 0.0, 0
		for pi, p := range params {
			vals := ref.Params[p.Name()]
			for i := range vals {
				h := 1e-5 * max(1, math.Abs(vals[i]))
				v := vals[i]
				vals[i] = v + h
				lp := loss()
				vals[i] = v - h
				lm := loss()
				vals[i] = v
				fd := (lp - lm) / (2 * h)
				got := res[1+pi][i]
				e := math.Abs(got-fd) / (1e-3*math.Abs(res[0][0]) + math.Abs(fd) + 1e-6)
				worst = max(worst, e)
				n++
				if e > 2e-5 {
					t.Errorf("%s: d loss / d %s[%d] = %.10g, finite difference %.10g", name, p.Name(), i, got, fd)
				}
			}
		}
		t.Logf("%s: loss %.6g, %d params, worst relative gradient error %.2g", name, res[0][0], n, worst)
	}
}
