package bench

import (
	"fmt"
	"time"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// trainstep measures a whole recorded training step of the MLP score net
// (2 -> 128 -> 128 -> 2 with time embedding, batch 512, DSM, Adam, EMA) and
// of a small U-Net-shaped graph: GPU time, host time per replay, and planned
// memory against the sum of intermediates.
func (r *runner) trainstep() ([]Row, error) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		return nil, err
	}
	ds, err := data.Builtin("8gaussians")
	if err != nil {
		return nil, err
	}
	net, err := model.NewMLP(vp, model.MLPConfig{Dim: 2, Hidden: 128, Layers: 2})
	if err != nil {
		return nil, err
	}
	tr, err := train.New(r.dev, train.Config{SDE: vp, Net: net, Loss: sde.DefaultLossConfig(), Adam: kernels.DefaultAdam(),
		LR: 2e-4, EMA: 0.999, Batch: 512, Data: ds, Seed: 1})
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	steps := 0
	ms, err := r.wallTimes(func() error { steps++; _, err := tr.Next(); return err })
	if err != nil {
		return nil, err
	}
	out := row("trainstep", "MLP 2-128-128-2, batch 512", "dsm+adam+ema", r.dev.Info.Name, ms, 0, 0)
	out.HostUs = float64(tr.HostTime.Microseconds()) / float64(steps)
	out.PlannedBytes, out.UnplannedBytes = tr.Plan().ArenaBytes, tr.Plan().SumBytes
	out.Note = fmt.Sprintf("wall time per step; host_us: replay (uploads, submit, loss readback), without the device wait and the host batch draw (%.0f us)",
		float64(tr.DataTime.Microseconds())/float64(steps))
	rows := []Row{out}
	if r.opt.Profile {
		prof, err := r.profileRows("trainstep MLP", tr.Timings)
		if err != nil {
			return nil, err
		}
		rows = append(rows, prof...)
	}
	unet, err := r.unetStep()
	if err != nil {
		return nil, err
	}
	return append(rows, unet...), nil
}

// unetStep is model.UNetStep (the graph the planner and device tests
// check) at a benchmark size: replayed without re-recording (and, with
// Profile, its kernels' rows).
func (r *runner) unetStep() ([]Row, error) {
	const b, c, h = 8, 32, 16
	step, err := model.NewUNetStep(model.UNetStepConfig{Batch: b, Channels: c, Size: h, Groups: 8, Heads: 4})
	if err != nil {
		return nil, err
	}
	e := vkexec.New(r.dev)
	defer e.Params.Release()
	for _, p := range step.Params {
		if err := e.Params.Set(p.Name(), p.Shape(), r.randoms(p.Shape().Size())); err != nil {
			return nil, err
		}
	}
	p, err := e.Compile(step.Outputs()...)
	if err != nil {
		return nil, err
	}
	defer p.Release()
	for _, in := range []*graph.Node{step.X, step.Target} {
		if err := p.SetInput(in.Name(), r.randoms(in.Shape().Size())); err != nil {
			return nil, err
		}
	}
	var host time.Duration
	steps := 0
	ms, err := r.wallTimes(func() error {
		start := time.Now()
		err := p.RunAsync(1, uint32(steps))
		host += time.Since(start)
		steps++
		if err != nil {
			return err
		}
		return p.Wait()
	})
	if err != nil {
		return nil, err
	}
	out := row("trainstep", fmt.Sprintf("U-Net-shaped, batch %d, %d channels, %dx%d", b, c, h, h), "conv+groupnorm+attention", r.dev.Info.Name, ms, 0, 0)
	out.HostUs = float64(host.Microseconds()) / float64(steps)
	out.PlannedBytes, out.UnplannedBytes = p.Plan().ArenaBytes, p.Plan().SumBytes
	out.Note = fmt.Sprintf("%d ops; loss and every weight gradient", len(p.Program.Steps))
	if !r.opt.Profile {
		return []Row{out}, nil
	}
	prof, err := r.profileRows("trainstep U-Net", p.Timings)
	return append([]Row{out}, prof...), err
}

// sampling measures a 1000-step PC run of 10,000 2-D points with the MLP
// score net (reverse diffusion + Langevin, VE): steps per second and host
// time per step (recording and submits, not the wait for the device).
func (r *runner) sampling() ([]Row, error) {
	ve, err := sde.NewVE(0.01, 20, 1000)
	if err != nil {
		return nil, err
	}
	n := 10000
	if r.opt.Quick {
		ve, _ = sde.NewVE(0.01, 20, 100)
		n = 2000
	}
	net, err := model.NewMLP(ve, model.MLPConfig{Dim: 2, Hidden: 128, Layers: 2})
	if err != nil {
		return nil, err
	}
	vals, err := model.InitParams32(net.Params(), 1)
	if err != nil {
		return nil, err
	}
	e := vkexec.New(r.dev)
	defer e.Params.Release()
	for _, p := range net.Params() {
		if err := e.Params.Set(p.Name, graph.Shape(p.Shape), vals[p.Name]); err != nil {
			return nil, err
		}
	}
	o := sde.DefaultPCOptions(ve)
	pc, err := sampling.NewPC(e.Lib, ve, &sampling.NetScore{Exec: e, Build: net.Build}, n, 2, sampling.PCOptions{PCOptions: o}, 1)
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	res, err := pc.Run()
	if err != nil {
		return nil, err
	}
	// Recording (which compiles the pipelines on first use) is reported
	// apart: the per-step figures are the replay's.
	steps := float64(res.Steps)
	ms := []float64{float64((res.Duration - res.RecordTime).Microseconds()) / 1e3 / steps}
	out := row("sampling", fmt.Sprintf("%d points, %d steps", n, res.Steps), "pc reverse_diffusion+langevin, mlp 128x2", r.dev.Info.Name, ms, 0, 0)
	out.HostUs = float64((res.HostTime - res.RecordTime).Microseconds()) / steps
	out.Note = fmt.Sprintf("median_ms is wall time per step (%.1f steps/s), NFE %d; recording %.1f ms apart", 1e3/ms[0], res.NFE, float64(res.RecordTime.Microseconds())/1e3)
	if !r.opt.Profile {
		return []Row{out}, nil
	}
	prof, err := r.profileRows(fmt.Sprintf("sampling, %d steps", res.ChunkSteps), func() ([]vk.Timing, error) { return res.Timings, nil })
	return append([]Row{out}, prof...), err
}
