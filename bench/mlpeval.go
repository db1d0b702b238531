package bench

import (
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/vk"
)

// torchMLPScript is the PyTorch reference of the mlp-eval rows; it also
// runs on its own: python3 bench/torch_mlp.py.
//
//go:embed torch_mlp.py
var torchMLPScript string

// mlpEvalPoints is the batch of the mlp-eval rows: issue 13's target is
// quoted at 10,000 points.
const mlpEvalPoints = 10000

// demoMLP is the demo's score network (configs/vp_dsm.toml): 3 hidden
// layers of 128, a 64-feature sinusoidal time embedding, SiLU, the noise
// parameterisation score = -net / std(t).
func demoMLP(s sde.SDE) (*model.MLP, error) {
	return model.NewMLP(s, model.MLPConfig{Dim: 2, Hidden: 128, Layers: 3, EmbedDim: 64, Embed: model.EmbedSinusoidal})
}

// torchMLPResult is what torch_mlp.py prints.
type torchMLPResult struct {
	Parameters int       `json:"parameters"`
	Threads    int       `json:"threads"`
	Torch      string    `json:"torch"`
	StepMs     []float64 `json:"step_ms"`
	EvalMs     []float64 `json:"eval_ms"`
	StepCPUMs  float64   `json:"step_cpu_ms"`
	EvalCPUMs  float64   `json:"eval_cpu_ms"`
}

// mlpEval measures one reverse Euler-Maruyama step (score evaluation and
// update) of the demo's MLP on 10,000 2-D points as the samplers run it
// (steps recorded once into a chunk and replayed), against the same step in
// PyTorch on the host CPU (torch_mlp.py) measured first in the same run.
func (r *runner) mlpEval() ([]Row, error) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		return nil, err
	}
	net, err := demoMLP(vp)
	if err != nil {
		return nil, err
	}
	params := countParams(net.Params())
	shape := fmt.Sprintf("vp_dsm.toml MLP (2+64 -> 128x3 -> 2, %d parameters), %d points", params, mlpEvalPoints)
	var rows []Row
	ref, refCPUMs, err := r.torchMLP(shape, params)
	if err != nil {
		rows = append(rows, Row{Op: "mlp-eval", Shape: shape, Variant: "pytorch", Device: "host CPU", Note: "not run: " + err.Error()})
	} else {
		rows = append(rows, ref...)
	}
	out, cpuMs, prof, err := r.mlpEvalSdevk(vp, net, shape)
	if err != nil {
		return rows, err
	}
	if ref != nil {
		out.compareTime(ref[0])
		if cpuMs > 0 && refCPUMs > 0 {
			out.Note += fmt.Sprintf("; CPU time %.2fx the reference's", cpuMs/refCPUMs)
		}
	}
	rows = append(rows, out)
	return append(rows, prof...), nil
}

// torchMLP runs torch_mlp.py and returns its step and evaluation rows and
// the CPU time per step.
func (r *runner) torchMLP(shape string, params int) ([]Row, float64, error) {
	args := []string{"--batch", strconv.Itoa(mlpEvalPoints), "--threads", strconv.Itoa(torchThreads),
		"--repeats", strconv.Itoa(max(r.opt.Repeats, 3)), "--warmup", strconv.Itoa(r.opt.Warmup)}
	var res torchMLPResult
	py, err := runTorchScript("torch_mlp.py", torchMLPScript, args, &res)
	if err != nil {
		return nil, 0, err
	}
	if res.Parameters != params || len(res.StepMs) == 0 || len(res.EvalMs) == 0 {
		return nil, 0, fmt.Errorf("%s torch_mlp.py: %d parameters (want %d), %d and %d times", py, res.Parameters, params, len(res.StepMs), len(res.EvalMs))
	}
	device := fmt.Sprintf("host CPU, PyTorch %s, %d threads", res.Torch, res.Threads)
	step := row("mlp-eval", shape, "pytorch euler-maruyama step", device, res.StepMs, 0, 0)
	eval := row("mlp-eval", shape, "pytorch score evaluation", device, res.EvalMs, 0, 0)
	step.Note = fmt.Sprintf("wall time per step (torch_mlp.py); CPU time %.1f ms per step", res.StepCPUMs)
	eval.Note = fmt.Sprintf("wall time per evaluation (torch_mlp.py); CPU time %.1f ms per evaluation", res.EvalCPUMs)
	return []Row{step, eval}, res.StepCPUMs, nil
}

// mlpEvalSdevk times the sampler's steps: the first steps of the VP SDE's
// Euler-Maruyama table, one chunk recorded once and replayed per run. It
// returns the row, the process's CPU time per step over the timed runs
// (0 where not measured) and, with Profile, the kernels' rows.
func (r *runner) mlpEvalSdevk(vp *sde.VP, net *model.MLP, shape string) (Row, float64, []Row, error) {
	steps := 20
	if r.opt.Quick {
		steps = 5
	}
	vals, err := model.InitParams32(net.Params(), 1)
	if err != nil {
		return Row{}, 0, nil, err
	}
	e := vkexec.New(r.dev)
	defer e.Params.Release()
	for _, p := range net.Params() {
		if err := e.Params.Set(p.Name, graph.Shape(p.Shape), vals[p.Name]); err != nil {
			return Row{}, 0, nil, err
		}
	}
	table, err := sampling.PCRows(vp, sde.DefaultPCOptions(vp))
	if err != nil {
		return Row{}, 0, nil, err
	}
	pc, err := sampling.NewRows(e.Lib, &sampling.NetScore{Exec: e, Build: net.Build}, mlpEvalPoints, 2, table[:steps], vp.PriorStd(), sampling.PCOptions{Chunk: steps}, 1)
	if err != nil {
		return Row{}, 0, nil, err
	}
	defer pc.Close()
	var last sampling.Result
	var cpu time.Duration
	runs := 0
	ms, err := r.times(func() (float64, error) {
		cpu0, _ := processCPU()
		res, err := pc.Run()
		cpu1, ok := processCPU()
		if ok && res.Steps > 0 {
			cpu += cpu1 - cpu0
			runs += res.Steps
		}
		last = res
		return float64((res.Duration - res.RecordTime).Microseconds()) / 1e3 / float64(res.Steps), err
	})
	if err != nil {
		return Row{}, 0, nil, err
	}
	cpuMs := 0.0
	if runs > 0 {
		cpuMs = float64(cpu.Microseconds()) / 1e3 / float64(runs)
	}
	out := row("mlp-eval", shape, "sdevk euler-maruyama step", r.dev.Info.Name, ms, 0, 0)
	out.Note = fmt.Sprintf("wall time per step of %d recorded steps (score evaluation and update), recording apart; CPU time %.1f ms per step, recording included", steps, cpuMs)
	if !r.opt.Profile {
		return out, cpuMs, nil, nil
	}
	prof, err := r.profileRows(fmt.Sprintf("mlp-eval, %d steps", last.ChunkSteps), func() ([]vk.Timing, error) { return last.Timings, nil })
	return out, cpuMs, prof, err
}
