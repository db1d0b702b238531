package bench

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// torchUNetScript is the PyTorch reference of the unet rows; it also runs
// on its own: python3 bench/torch_unet.py.
//
//go:embed torch_unet.py
var torchUNetScript string

// torchThreads is the thread count of the PyTorch reference: the CPU count
// sdevk's targets are quoted at (torch.set_num_threads(2)).
const torchThreads = 2

// torchPythons are the interpreters tried for the PyTorch reference, in
// order: $SDEVK_TORCH_PYTHON, python3 on PATH, and Debian's (python3-torch
// installs into /usr/bin/python3's packages, which a pyenv python3 on PATH
// does not see). SDEVK_TORCH_PYTHON=none skips the reference (it takes
// minutes on a loaded machine).
func torchPythons() []string {
	switch p := os.Getenv("SDEVK_TORCH_PYTHON"); p {
	case "none":
		return nil
	case "":
		return []string{"python3", "/usr/bin/python3"}
	default:
		return []string{p, "python3", "/usr/bin/python3"}
	}
}

// torchResult is what torch_unet.py prints.
type torchResult struct {
	Parameters int       `json:"parameters"`
	Threads    int       `json:"threads"`
	Torch      string    `json:"torch"`
	Device     string    `json:"device"`
	TrainMs    []float64 `json:"train_ms"`
	ScoreMs    []float64 `json:"score_ms"`
}

// torchUNet runs the PyTorch reference and returns its training-step and
// score rows; an error says why it could not run (no python3 with torch).
func (r *runner) torchUNet(c unetCase, cuda bool) ([]Row, error) {
	res, py, err := runTorchUNet(c, cuda, min(r.opt.Repeats, 5), min(r.opt.Warmup, 2))
	if err != nil {
		return nil, err
	}
	if res.Parameters != c.params {
		return nil, fmt.Errorf("%s torch_unet.py: %d parameters, want %d", py, res.Parameters, c.params)
	}
	device := fmt.Sprintf("host CPU, PyTorch %s, %d threads", res.Torch, res.Threads)
	if res.Device != "" && res.Device != "cpu" {
		device = fmt.Sprintf("%s, PyTorch %s fp32", res.Device, res.Torch)
	}
	train := row(c.op, c.shape(), "pytorch train step dsm+adam+ema", device, res.TrainMs, 0, 0)
	score := row(c.op, c.shape(), "pytorch score evaluation", device, res.ScoreMs, 0, 0)
	train.Note, score.Note = "wall time per step (torch_unet.py)", "wall time per evaluation (torch_unet.py)"
	return []Row{train, score}, nil
}

// runTorchUNet runs torch_unet.py with the first of torchPythons that has
// torch and returns its result and that interpreter.
func runTorchUNet(c unetCase, cuda bool, repeats, warmup int) (torchResult, string, error) {
	u := c.cfg
	args := []string{"--batch", strconv.Itoa(c.batch), "--threads", strconv.Itoa(torchThreads),
		"--repeats", strconv.Itoa(max(repeats, 1)), "--warmup", strconv.Itoa(warmup),
		"--nf", strconv.Itoa(u.NF), "--ch-mult", joinInts(u.ChMult), "--res-blocks", strconv.Itoa(u.NumResBlocks),
		"--attn", joinInts(u.AttnResolutions), "--image-size", strconv.Itoa(u.ImageSize), "--channels", strconv.Itoa(u.NumChannels)}
	if cuda {
		args = append(args, "--device", "cuda")
	}
	var res torchResult
	py, err := runTorchScript("torch_unet.py", torchUNetScript, args, &res)
	if err != nil {
		return torchResult{}, py, err
	}
	if len(res.TrainMs) == 0 || len(res.ScoreMs) == 0 {
		return torchResult{}, py, fmt.Errorf("%s torch_unet.py: %d and %d times", py, len(res.TrainMs), len(res.ScoreMs))
	}
	return res, py, nil
}

var errSkipTorch = errors.New("skipped (SDEVK_TORCH_PYTHON=none)")

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
