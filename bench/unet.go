package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/vk/kernels"
)

// unetParams is the parameter count of score_sde's DDPM++ at the bench's
// settings (unetConfig), counted from score_sde's models/ncsnpp.py; the
// PyTorch reference builds the same count.
const unetParams = 1752993

// unetBatch is the batch of the U-Net rows.
const unetBatch = 64

// unetConfig is score_sde's DDPM++ (cifar10_ddpmpp_continuous) cut down to
// 28x28x1 images: nf 32, ch_mult (1, 2, 2), two residual blocks per
// resolution, attention at 14x14.
func unetConfig() model.UNetConfig {
	c := model.DefaultUNetConfig()
	c.NF, c.ChMult, c.NumResBlocks, c.AttnResolutions = 32, []int{1, 2, 2}, 2, []int{14}
	c.ImageSize, c.NumChannels = 28, 1
	return c
}

const unetShape = "DDPM++ 28x28x1 nf 32 ch_mult 1,2,2 res 2 attn 14, batch 64"

// uniformImages is a Dataset of 28x28x1 images of uniform noise in [0, 1]:
// the step's cost does not depend on the pixels.
type uniformImages struct{}

func (uniformImages) Name() string { return "uniform 28x28x1" }
func (uniformImages) Dim() int     { return 28 * 28 }
func (uniformImages) Sample(n int, r *rand.Rand) []float64 {
	x := make([]float64, n*28*28)
	for i := range x {
		x[i] = r.Float64()
	}
	return x
}

// unet measures one training step (DSM, Adam, EMA) and one score
// evaluation of score_sde's DDPM++ (unetConfig) at batch 64, and the same
// two in PyTorch on the host (torch_unet.py) when python3 with torch is
// installed, measured first in the same run.
func (r *runner) unet() ([]Row, error) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		return nil, err
	}
	net, err := model.NewUNet(vp, unetConfig())
	if err != nil {
		return nil, err
	}
	if n := countParams(net.Params()); n != unetParams {
		return nil, fmt.Errorf("DDPM++ at the bench's settings has %d parameters, want score_sde's %d", n, unetParams)
	}
	var rows []Row
	refs, err := r.torchUNet()
	if err != nil {
		rows = append(rows, Row{Op: "unet", Shape: unetShape, Variant: "pytorch", Device: "host CPU", Note: "not run: " + err.Error()})
	} else {
		rows = append(rows, refs...)
	}
	trainRow, trainProf, err := r.unetTrain(vp, net)
	if err != nil {
		return rows, err
	}
	scoreRow, scoreProf, err := r.unetScore(net)
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
func (r *runner) unetTrain(s sde.SDE, net model.ScoreNet) (Row, []Row, error) {
	tr, err := train.New(r.dev, train.Config{SDE: s, Net: net, Loss: sde.DefaultLossConfig(), Adam: kernels.DefaultAdam(),
		LR: 2e-4, EMA: 0.9999, Batch: unetBatch, Data: uniformImages{}, Seed: 1})
	if err != nil {
		return Row{}, nil, err
	}
	defer tr.Close()
	steps := 0
	ms, err := r.wallTimes(func() error { steps++; _, err := tr.Next(); return err })
	if err != nil {
		return Row{}, nil, err
	}
	out := row("unet", unetShape, "train step dsm+adam+ema", r.dev.Info.Name, ms, 0, 0)
	out.HostUs = float64(tr.HostTime.Microseconds()) / float64(steps)
	out.PlannedBytes, out.UnplannedBytes = tr.Plan().ArenaBytes, tr.Plan().SumBytes
	out.Note = "wall time per step"
	if !r.opt.Profile {
		return out, nil, nil
	}
	prof, err := r.profileRows("unet train step", tr.Timings)
	return out, prof, err
}

// unetScore times one score evaluation of net on a batch (the sampler's
// network call: no dropout, no gradients).
func (r *runner) unetScore(net *model.UNet) (Row, []Row, error) {
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
	x := g.Input("x", unetBatch, net.Dim())
	t := g.Input("t", unetBatch)
	score := net.Build(g, x, t)
	if err := g.Err(); err != nil {
		return Row{}, nil, err
	}
	p, err := e.Compile(score)
	if err != nil {
		return Row{}, nil, err
	}
	defer p.Release()
	ts := make([]float32, unetBatch)
	for i := range ts {
		ts[i] = float32(i+1) / unetBatch
	}
	if err := p.SetInput("x", r.randoms(unetBatch*net.Dim())); err != nil {
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
	out := row("unet", unetShape, "score evaluation", r.dev.Info.Name, ms, 0, 0)
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
