package sampling

import (
	"testing"

	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Annealed Langevin on the device follows sde.AnnealedLangevin with the
// same draws.
func TestALDMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	lib := kernels.New(dev)
	defer lib.Close()
	ve, _ := sde.NewVE(0.05, 5, 100)
	g := gaussian{mu: []float64{1, -1}, sigma0: 0.5}
	o := sde.ALDOptions{Sigmas: sde.GeometricSigmas(5, 0.05, 4), StepsEach: 3, Eps: 0.05, Denoise: true}
	rows, err := ALDRows(o, ve.TimeOfSigma)
	if err != nil {
		t.Fatal(err)
	}
	const b, d = 41, 2
	exec := vkexec.New(dev)
	p, err := NewRows(lib, &NetScore{Exec: exec, Build: g.build(ve)}, b, d, rows, o.Sigmas[0], PCOptions{Chunk: 5}, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Run()
	if err != nil {
		t.Fatal(err)
	}
	if res.NFE != len(rows) {
		t.Errorf("NFE %d, want %d", res.NFE, len(rows))
	}
	got, _ := p.Samples()
	x := make([]float64, b*d)
	rng.Normal(x, rng.Key{Seed: 3})
	for i := range x {
		x[i] *= o.Sigmas[0]
	}
	step := 0
	normal := func(z []float64) {
		rng.Normal(z, rng.Key{Seed: 3, Stream: rng.StreamPredictor, Step: uint32(step)})
		step++
	}
	score := func(x []float64, sigma float64, out []float64) { g.score(ve, x, ve.TimeOfSigma(sigma), out) }
	if _, err := sde.AnnealedLangevin(x, score, o, normal); err != nil {
		t.Fatal(err)
	}
	vktest.Close(t, "ald", got, x, 1e-3, 1e-3)
}
