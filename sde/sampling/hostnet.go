package sampling

import (
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// HostNetScore evaluates a network score on the default Vulkan device for
// host batches (plots): a program is compiled per batch size and kept.
type HostNetScore struct {
	m     ScoreModel
	dev   *vk.Device
	exec  *vkexec.Executor
	progs map[int]*scoreProgram
	err   error
}

// NewHostNetScore opens the default device and uploads m's weights.
func NewHostNetScore(m ScoreModel) (*HostNetScore, error) {
	dev, err := vk.Open(vk.Options{})
	if err != nil {
		return nil, err
	}
	lib := kernels.New(dev)
	exec, err := m.NewExecutor(lib)
	if err != nil {
		lib.Close()
		dev.Close()
		return nil, err
	}
	return &HostNetScore{m: m, dev: dev, exec: exec, progs: map[int]*scoreProgram{}}, nil
}

// Err is the first device error of Score, nil when all went well.
func (e *HostNetScore) Err() error { return e.err }

// Score is an sde.ScoreFunc; after a device error (see Err) it gives zeros.
func (e *HostNetScore) Score(x []float64, t float64, out []float64) {
	clear(out)
	if e.err != nil {
		return
	}
	d := e.m.Dim
	b := len(x) / d
	np, ok := e.progs[b]
	if !ok {
		if np, e.err = compileScore(e.exec, e.m, b); e.err != nil {
			return
		}
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
	if e.err = np.prog.SetInput("x", xf); e.err != nil {
		return
	}
	if e.err = np.prog.SetInput("t", tf); e.err != nil {
		return
	}
	if e.err = np.prog.Run(0, 0); e.err != nil {
		return
	}
	res, err := np.prog.Read(np.out)
	if e.err = err; err != nil {
		return
	}
	for i, v := range res {
		out[i] = float64(v)
	}
}

// Close frees the programs, the weights and the device.
func (e *HostNetScore) Close() {
	for _, np := range e.progs {
		np.prog.Release()
	}
	e.exec.Params.Release()
	e.exec.Lib.Close()
	e.dev.Close()
}
