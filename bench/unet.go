package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/vk/kernels"
)

// unetCase is one network of the U-Net rows: score_sde's DDPM++ at some
// settings and batch, with its parameter count counted from score_sde's
// models/ncsnpp.py (the PyTorch reference builds the same count).
type unetCase struct {
	op     string
	cfg    model.UNetConfig
	batch  int
	params int
}

// shape names the case in its rows.
func (c unetCase) shape() string {
	u := c.cfg
	return fmt.Sprintf("DDPM++ %dx%dx%d nf %d ch_mult %s res %d attn %s, batch %d", u.ImageSize, u.ImageSize, u.NumChannels,
		u.NF, joinInts(u.ChMult), u.NumResBlocks, joinInts(u.AttnResolutions), c.batch)
}

// mnistUNet is score_sde's DDPM++ (cifar10_ddpmpp_continuous) cut down to
// 28x28x1 images: nf 32, ch_mult (1, 2, 2), two residual blocks per
// resolution, attention at 14x14, batch 64: the lavapipe case.
func mnistUNet() unetCase {
	c := model.DefaultUNetConfig()
	c.NF, c.ChMult, c.NumResBlocks, c.AttnResolutions = 32, []int{1, 2, 2}, 2, []int{14}
	c.ImageSize, c.NumChannels = 28, 1
	return unetCase{op: "unet", cfg: c, batch: 64, params: 1752993}
}

// cifarUNet is score_sde's CIFAR-10 DDPM++ (configs/vp/cifar10_ddpmpp_continuous)
// at its training batch of 128: the GPU case.
func cifarUNet() unetCase {
	return unetCase{op: "unet-cifar10", cfg: model.DefaultUNetConfig(), batch: 128, params: 61804419}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// uniformImages is a Dataset of d-value images of uniform noise in [0, 1]:
// the step's cost does not depend on the pixels.
type uniformImages struct{ d int }

func (u uniformImages) Name() string { return fmt.Sprintf("uniform images of %d values", u.d) }
func (u uniformImages) Dim() int     { return u.d }
func (u uniformImages) Sample(n int, r *rand.Rand) []float64 {
	x := make([]float64, n*u.d)
	for i := range x {
		x[i] = r.Float64()
	}
	return x
}

// unet measures one training step (DSM, Adam, EMA) and one score
// evaluation of score_sde's DDPM++ at 28x28x1 (mnistUNet), and the same two
// in PyTorch on the host (torch_unet.py) when python3 with torch is
// installed, measured first in the same run.
func (r *runner) unet() ([]Row, error) { return r.unetRows(mnistUNet(), false) }

// unetCIFAR10 is unet for score_sde's CIFAR-10 DDPM++ at batch 128, with
// PyTorch on CUDA as the reference when the device is a GPU (on the host
// CPU otherwise).
func (r *runner) unetCIFAR10() ([]Row, error) { return r.unetRows(cifarUNet(), !r.dev.Info.IsCPU()) }

func (r *runner) unetRows(c unetCase, cuda bool) ([]Row, error) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		return nil, err
	}
	net, err := model.NewUNet(vp, c.cfg)
	if err != nil {
		return nil, err
	}
	if n := countParams(net.Params()); n != c.params {
		return nil, fmt.Errorf("DDPM++ at the bench's settings has %d parameters, want score_sde's %d", n, c.params)
	}
	var rows []Row
	refs, err := r.torchUNet(c, cuda)
	if err != nil {
		rows = append(rows, Row{Op: c.op, Shape: c.shape(), Variant: "pytorch", Device: "host CPU", Note: "not run: " + err.Error()})
	} else {
		rows = append(rows, refs...)
	}
	trainRow, trainProf, err := r.unetTrain(c, vp, net)
	if err != nil {
		return rows, err
	}
	scoreRow, scoreProf, err := r.unetScore(c, net)
	if err != nil {
		return rows, err
	}
	if refs != nil {
		trainRow.compareTime(refs[0])
		scoreRow.compareTime(refs[1])
	}
	rows = append(rows, trainRow)
	rows = append(rows, trainProf...)
	rows = append(rows, scoreRow)
	return append(rows, scoreProf...), nil
}

// compareTime is CompareWith for rows of wall times, with the time ratio
// (this row's over the reference's) in the note.
func (out *Row) compareTime(ref Row) {
	out.CompareWith(ref)
	if out.VsRef > 0 {
		out.Note += fmt.Sprintf("; time %.2fx the reference's", 1/out.VsRef)
	}
}

// unetTrain times train.Trainer steps of net (and profiles one).
func (r *runner) unetTrain(c unetCase, s sde.SDE, net *model.UNet) (Row, []Row, error) {
	tr, err := train.New(r.dev, train.Config{SDE: s, Net: net, Loss: sde.DefaultLossConfig(), Adam: kernels.DefaultAdam(),
		LR: 2e-4, EMA: 0.9999, Batch: c.batch, Data: uniformImages{d: net.Dim()}, Seed: 1})
	if err != nil {
		return Row{}, nil, err
	}
	defer tr.Close()
	steps := 0
	ms, err := r.wallTimes(func() error { steps++; _, err := tr.Next(); return err })
	if err != nil {
		return Row{}, nil, err
	}
	out := row(c.op, c.shape(), "train step dsm+adam+ema", r.dev.Info.Name, ms, 0, 0)
	out.HostUs = float64(tr.HostTime.Microseconds()) / float64(steps)
	// The kept Winograd transforms are device memory of the step too, in
	// both: planned or not, a step holds them.
	kept := tr.KeptBytes()
	out.PlannedBytes, out.UnplannedBytes = tr.Plan().ArenaBytes+kept, tr.Plan().SumBytes+kept
	out.Note = "wall time per step"
	if !r.opt.Profile {
		return out, nil, nil
	}
	prof, err := r.profileRows("unet train step", tr.Timings)
	return out, prof, err
}

// unetScore times one score evaluation of net on a batch (the sampler's
// network call: no dropout, no gradients).
func (r *runner) unetScore(c unetCase, net *model.UNet) (Row, []Row, error) {
	e := vkexec.New(r.dev)
	defer e.Params.Release()
	vals, err := model.InitParams32(net.Params(), 1)
	if err != nil {
		return Row{}, nil, err
	}
	for _, p := range net.Params() {
		if err := e.Params.Set(p.Name, graph.Shape(p.Shape), vals[p.Name]); err != nil {
			return Row{}, nil, err
		}
	}
	g := graph.New()
	x := g.Input("x", c.batch, net.Dim())
	t := g.Input("t", c.batch)
	score := net.Build(g, x, t)
	if err := g.Err(); err != nil {
		return Row{}, nil, err
	}
	p, err := e.Compile(score)
	if err != nil {
		return Row{}, nil, err
	}
	defer p.Release()
	ts := make([]float32, c.batch)
	for i := range ts {
		ts[i] = float32(i+1) / float32(c.batch)
	}
	if err := p.SetInput("x", r.randoms(c.batch*net.Dim())); err != nil {
		return Row{}, nil, err
	}
	if err := p.SetInput("t", ts); err != nil {
		return Row{}, nil, err
	}
	ms, err := r.wallTimes(func() error {
		if err := p.RunAsync(1, 0); err != nil {
			return err
		}
		return p.Wait()
	})
	if err != nil {
		return Row{}, nil, err
	}
	out := row(c.op, c.shape(), "score evaluation", r.dev.Info.Name, ms, 0, 0)
	out.PlannedBytes, out.UnplannedBytes = p.Plan().ArenaBytes, p.Plan().SumBytes
	out.Note = "wall time per evaluation"
	if !r.opt.Profile {
		return out, nil, nil
	}
	prof, err := r.profileRows("unet score evaluation", p.Timings)
	return out, prof, err
}

func countParams(specs []model.ParamSpec) int {
	n := 0
	for _, p := range specs {
		n += graph.Shape(p.Shape).Size()
	}
	return n
}
