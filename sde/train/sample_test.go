package train

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/sampling"
)

// TestConfigFrom: [optim] reaches Adam, and a bad [sde] is an error naming
// the file.
func TestConfigFrom(t *testing.T) {
	src := "[data]\nkind = \"8gaussians\"\n[model]\nhidden = 8\nlayers = 1\nembedding_dim = 8\n[optim]\noptimizer = \"adamw\"\nbeta2 = 0.99\nwarmup = 7\n"
	c, err := config.Parse("t.toml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := c.Dataset()
	tc, err := ConfigFrom(c, ds)
	if err != nil {
		t.Fatal(err)
	}
	if !tc.Adam.Decoupled || tc.Adam.Beta2 != 0.99 || tc.Adam.Warmup != 7 || tc.Net == nil || tc.Batch != c.Training.BatchSize {
		t.Errorf("train config %+v", tc)
	}
	c.SDE.Kind = "bogus"
	if _, err := ConfigFrom(c, ds); err == nil || !strings.Contains(err.Error(), "t.toml: sde:") {
		t.Errorf("bad sde: %v", err)
	}
}

// TestMeasureQuality: exact samples sit near the noise floor with the true
// mode weights; samples collapsed on one point do not.
func TestMeasureQuality(t *testing.T) {
	ds, _ := data.Builtin("8gaussians")
	x := ds.Sample(800, rand.New(rand.NewPCG(1, 2)))
	q, err := MeasureQuality(ds, x, 3)
	if err != nil {
		t.Fatal(err)
	}
	// The same reference points as sdevk eval's: the same distance.
	if e, err := data.Evaluate(ds, x, 3, 1); err != nil || e.EnergyDistance != q.EnergyDistance {
		t.Errorf("energy distance %v, sdevk eval's %v (%v)", q.EnergyDistance, e, err)
	}
	if r := q.EnergyDistance / q.NoiseFloor; !(r < 3) {
		t.Errorf("exact samples: energy distance %g is %g floors", q.EnergyDistance, r)
	}
	if len(q.ModeWeights) != 8 || len(q.TrueWeights) != 8 {
		t.Fatalf("mode weights %v / %v", q.ModeWeights, q.TrueWeights)
	}
	for k, w := range q.ModeWeights {
		if math.Abs(w-q.TrueWeights[k]) > 0.05 {
			t.Errorf("mode %d: weight %g, true %g", k, w, q.TrueWeights[k])
		}
	}
	bad, err := MeasureQuality(ds, make([]float64, len(x)), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !(bad.EnergyDistance > 10*q.EnergyDistance) {
		t.Errorf("collapsed samples: energy distance %g, exact %g", bad.EnergyDistance, q.EnergyDistance)
	}
}

// TestEMAModelSamples: the reference trainer's EMA weights sample through
// the Reference backend.
func TestEMAModelSamples(t *testing.T) {
	tr, err := NewReference(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse("t.toml", []byte("[data]\nkind = \"8gaussians\"\n[sde]\nkind = \"vp\"\n[sampling]\nn_steps = 25\ncorrector = \"none\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	m, err := EMAModel(tr, cfg.Net, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !m.IsNet() || len(m.Weights) != len(cfg.Net.Params()) {
		t.Fatalf("EMA model %q has %d weights for %d parameters", m.Name, len(m.Weights), len(cfg.Net.Params()))
	}
	r, err := sampling.NewRequest(c, sampling.PC, 9, 2, 1, m)
	if err != nil {
		t.Fatal(err)
	}
	x, nfe, err := sampling.Reference{}.Sample(context.Background(), r)
	if err != nil || len(x) != 18 || nfe != 25 {
		t.Fatalf("sampled %d values, NFE %d: %v", len(x), nfe, err)
	}
}
