package vkexec_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// A full MLP training step (loss and every parameter gradient) agrees
// between the Vulkan and the reference executor, for each objective and SDE.
func TestMLPTrainingStepMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	ve, _ := sde.NewVE(0.01, 20, 100)
	vp, _ := sde.NewVP(0.1, 20, 100)
	cases := []struct {
		s    sde.SDE
		loss string
	}{{ve, "dsm"}, {vp, "dsm"}, {vp, "ssm_vr"}, {ve, "ssm"}, {vp, "exact"}, {ve, "smld"}, {vp, "ddpm"}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v-%s", c.s.Kind(), c.loss), func(t *testing.T) {
			const b, d = 33, 2
			net, err := model.NewMLP(c.s, model.MLPConfig{Dim: d, Hidden: 16, Layers: 2})
			if err != nil {
				t.Fatal(err)
			}
			g := graph.New()
			x0 := g.Input("x0", b, d)
			lc := sde.DefaultLossConfig()
			lc.Loss = c.loss
			ln, err := sde.BuildLoss(c.s, net, x0, lc)
			if err != nil {
				t.Fatal(err)
			}
			params := model.Trainable(g, net.Params())
			grads, err := graph.Grad(ln.Loss, params...)
			if err != nil {
				t.Fatal(err)
			}
			values, err := model.InitParams(net.Params(), 3)
			if err != nil {
				t.Fatal(err)
			}
			e := vkexec.New(dev)
			defer e.Params.Release()
			ref := graph.NewReference()
			ref.Seed, ref.Step = 11, 5
			for _, p := range g.Params() {
				v := values[p.Name()]
				ref.Params[p.Name()] = v
				f := make([]float32, len(v))
				for i := range v {
					f[i] = float32(v[i])
				}
				if err := e.Params.Set(p.Name(), p.Shape(), f); err != nil {
					t.Fatal(err)
				}
			}
			r := rand.New(rand.NewPCG(1, 2))
			data := make([]float64, b*d)
			f := make([]float32, b*d)
			for i := range data {
				data[i] = r.NormFloat64()*2 + 1
				f[i] = float32(data[i])
			}
			outs := append([]*graph.Node{ln.Loss}, grads...)
			prog, err := e.Compile(outs...)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Release()
			if err := prog.SetInput("x0", f); err != nil {
				t.Fatal(err)
			}
			if err := prog.Run(ref.Seed, ref.Step); err != nil {
				t.Fatal(err)
			}
			want, err := ref.Run(graph.Feeds{x0: data}, outs...)
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range outs {
				got, err := prog.Read(o)
				if err != nil {
					t.Fatal(err)
				}
				scale := 0.0
				for _, w := range want[i] {
					scale = max(scale, w, -w)
				}
				vktest.Close(t, o.String(), got, want[i], 1e-4, 1e-4*scale)
			}
			t.Logf("%d steps; plan %v", len(prog.Program.Steps), prog.Plan())
		})
	}
}
