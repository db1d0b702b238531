package main

import (
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// netEvaluator evaluates a checkpoint's score network of 2-D data on the
// device for host batches (plots): a program is compiled per batch size.
type netEvaluator struct {
	src   scoreSource
	dev   *vk.Device
	exec  *vkexec.Executor
	progs map[int]*netProgram
	err   error
}

type netProgram struct {
	p   *vkexec.Program
	out *graph.Node
}

func newNetEvaluator(src scoreSource) (*netEvaluator, error) {
	dev, err := vk.Open(vk.Options{})
	if err != nil {
		return nil, err
	}
	exec, err := src.executor(kernels.New(dev))
	if err != nil {
		dev.Close()
		return nil, err
	}
	return &netEvaluator{src: src, dev: dev, exec: exec, progs: map[int]*netProgram{}}, nil
}

// score is an sde.ScoreFunc; a device error is kept in e.err and gives zeros.
func (e *netEvaluator) score(x []float64, t float64, out []float64) {
	clear(out)
	if e.err != nil {
		return
	}
	b := len(x) / 2
	np, ok := e.progs[b]
	if !ok {
		g := graph.New()
		xn, tn := g.Input("x", b, 2), g.Input("t", b)
		out := e.src.Net.Build(g, xn, tn)
		if e.err = g.Err(); e.err != nil {
			return
		}
		p, err := e.exec.Compile(out)
		if e.err = err; err != nil {
			return
		}
		np = &netProgram{p: p, out: out}
		e.progs[b] = np
	}
	xf := make([]float32, len(x))
	for i, v := range x {
		xf[i] = float32(v)
	}
	tf := make([]float32, b)
	for i := range tf {
		tf[i] = float32(t)
	}
	if e.err = np.p.SetInput("x", xf); e.err != nil {
		return
	}
	if e.err = np.p.SetInput("t", tf); e.err != nil {
		return
	}
	if e.err = np.p.Run(0, 0); e.err != nil {
		return
	}
	res, err := np.p.Read(np.out)
	if e.err = err; err != nil {
		return
	}
	for i, v := range res {
		out[i] = float64(v)
	}
}

func (e *netEvaluator) close() {
	for _, np := range e.progs {
		np.p.Release()
	}
	e.exec.Params.Release()
	e.exec.Lib.Close()
	e.dev.Close()
}
