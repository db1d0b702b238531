package sampling

import (
	"fmt"
	"math"
	"testing"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// TestPlanMatchesReference runs every few-step sampler on the device one
// stage per submit and compares the batch after each stage with the float64
// plan fed the same prior and the same Philox noise.
func TestPlanMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	const b, d, seed = 67, 3, 11
	g := gaussian{mu: []float64{1.5, -2, 0.5}, sigma0: 0.7}
	vp, _ := sde.NewVP(0.1, 20, 1000)
	subvp, _ := sde.NewSubVP(0.1, 20, 1000)
	ve, _ := sde.NewVE(0.01, 10, 1000)
	for _, s := range []sde.SDE{vp, subvp, ve} {
		for m := sde.FastDDIM; m <= sde.FastUniPC; m++ {
			o := sde.DefaultFastOptions(m, 4)
			o.Eta = 0.7
			if m == sde.FastDPM {
				o.Order = 2
			}
			plan, err := sde.FastPlan(s, o)
			if err != nil {
				t.Fatal(err)
			}
			name := s.Kind().String() + " " + m.String()
			// The reference, stage by stage.
			regs := make([][]float64, plan.Regs)
			for j := range regs {
				regs[j] = make([]float64, b*d)
			}
			sde.PriorSample(s, regs[0], sde.PhiloxNormal(seed, rng.StreamPrior))
			noise := sde.PhiloxNormal(seed, rng.StreamPredictor)
			sc, z := make([]float64, b*d), make([]float64, b*d)
			var want [][]float64
			for k, st := range plan.Stages {
				g.score(s, regs[0], st.T, sc)
				noise(z)
				plan.Step(k, regs, sc, z)
				want = append(want, append([]float64(nil), regs[0]...))
			}

			exec := vkexec.New(dev)
			p, err := NewPlan(lib, s, &NetScore{Exec: exec, Build: g.build(s)}, b, d, plan, 1, seed)
			if err != nil {
				t.Fatal(err)
			}
			p.SetOnChunk(func(done int) error {
				got := make([]float32, b*d)
				if err := p.X.Download(got); err != nil {
					return err
				}
				w := want[done-1]
				scale := 0.0
				for _, v := range w {
					scale = math.Max(scale, math.Abs(v))
				}
				vktest.Close(t, fmt.Sprintf("%s stage %d", name, done-1), got, w, 1e-3, 1e-3*scale)
				return nil
			})
			res, err := p.Run()
			if err != nil {
				t.Fatal(err)
			}
			if res.NFE != plan.NFE() {
				t.Errorf("%s: NFE %d, plan has %d stages", name, res.NFE, plan.NFE())
			}
			p.Close()
			exec.Params.Release()
		}
	}
}
