package vkexec

import (
	"fmt"
	"testing"
	"time"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
)

// BenchmarkFusion replays the MLP training step's graph (VP DSM loss and
// every weight gradient, batch 512, width 128) recorded with and without
// elementwise fusion, alternating the two in one run, and reports the
// unfused time over the fused one.
func BenchmarkFusion(b *testing.B) {
	dev := vktest.Open(b, vk.Options{})
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		b.Fatal(err)
	}
	net, err := model.NewMLP(vp, model.MLPConfig{Dim: 2, Hidden: 128, Layers: 2})
	if err != nil {
		b.Fatal(err)
	}
	g := graph.New()
	ln, err := sde.BuildLoss(vp, net, g.Input("x0", 512, 2), sde.DefaultLossConfig())
	if err != nil {
		b.Fatal(err)
	}
	params := model.Trainable(g, net.Params())
	grads, err := graph.Grad(ln.Loss, params...)
	if err != nil {
		b.Fatal(err)
	}
	values, err := model.InitParams32(net.Params(), 1)
	if err != nil {
		b.Fatal(err)
	}
	e := New(dev)
	for _, p := range g.Params() {
		if err := e.Params.Set(p.Name(), p.Shape(), values[p.Name()]); err != nil {
			b.Fatal(err)
		}
	}
	defer func(f bool) { fuseElementwise = f }(fuseElementwise)
	var progs [2]*Program
	for i, fuse := range []bool{false, true} {
		fuseElementwise = fuse
		if progs[i], err = e.Compile(append([]*graph.Node{ln.Loss}, grads...)...); err != nil {
			b.Fatal(err)
		}
		defer progs[i].Release()
		if err := progs[i].Run(1, 0); err != nil { // warm-up
			b.Fatal(err)
		}
	}
	var total [2]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, p := range progs {
			start := time.Now()
			if err := p.Run(1, uint32(i)); err != nil {
				b.Fatal(err)
			}
			total[k] += time.Since(start)
		}
	}
	var dispatches [2]int
	for k, p := range progs {
		dispatches[k], _ = p.seq.Stats()
	}
	b.ReportMetric(float64(total[0].Microseconds())/float64(b.N), "unfused-us/step")
	b.ReportMetric(float64(total[1].Microseconds())/float64(b.N), "fused-us/step")
	b.ReportMetric(float64(total[0])/float64(total[1]), "speedup")
	b.Log(fmt.Sprintf("dispatches: %d unfused, %d fused", dispatches[0], dispatches[1]))
}
