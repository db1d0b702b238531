package sampling

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/kernels"
	"github.com/sdevk/sdevk/vk"
)

// Score is a score model on the device.
type Score interface {
	// Bind prepares the model for a batch x of b points of dimension d; it
	// is called once per sampler before any Record.
	Bind(x *vk.Buffer, b, d int, sched *Schedule) error
	// Record records the evaluation of s(x, t) at the current row's time and
	// returns the buffer that holds the score once the recorded commands ran.
	Record(seq *vk.Sequence) (*vk.Buffer, error)
	// Close frees what Bind allocated.
	Close()
}

// NetScore is a score network given as a graph builder, run by vkexec.
type NetScore struct {
	Exec *vkexec.Executor
	// Build returns the score [b, d] for inputs x [b, d] and t [b].
	Build func(g *graph.Graph, x, t *graph.Node) *graph.Node

	prog  *vkexec.Program
	out   *graph.Node
	t     *vk.Buffer
	b     int
	sched *Schedule
}

// Bind compiles the network for the batch with x bound to the sampler's buffer.
func (s *NetScore) Bind(x *vk.Buffer, b, d int, sched *Schedule) error {
	g := graph.New()
	xn, tn := g.Input("x", b, d), g.Input("t", b)
	s.out = s.Build(g, xn, tn)
	if err := g.Err(); err != nil {
		return err
	}
	if !s.out.Shape().Equal(graph.Shape{b, d}) {
		return fmt.Errorf("sampling: the score network returns %v, want [%d %d]", s.out.Shape(), b, d)
	}
	p, err := s.Exec.CompileWith(vkexec.Options{Bind: map[string]*vk.Buffer{"x": x}}, s.out)
	if err != nil {
		return err
	}
	s.prog, s.t, s.b, s.sched = p, p.InputBuffer("t"), b, sched
	return nil
}

// Record fills t from the schedule and records the network.
func (s *NetScore) Record(seq *vk.Sequence) (*vk.Buffer, error) {
	if err := s.sched.FillColumn(s.Exec.Lib, seq, s.t, s.b, ColT); err != nil {
		return nil, err
	}
	if err := s.prog.RecordInto(seq); err != nil {
		return nil, err
	}
	return s.prog.Buffer(s.out), nil
}

// Close frees the compiled program.
func (s *NetScore) Close() {
	if s.prog != nil {
		s.prog.Release()
	}
}

// scoreNorms holds the buffers of the Langevin corrector's step size.
type scoreNorms struct {
	z, gs, zs *vk.Buffer
}

func newScoreNorms(dev *vk.Device, b, d int) (*scoreNorms, error) {
	var n scoreNorms
	var err error
	if n.z, err = dev.NewBufferF32(b * d); err != nil {
		return nil, err
	}
	if n.gs, err = dev.NewBufferF32(b); err != nil {
		return nil, err
	}
	if n.zs, err = dev.NewBufferF32(b); err != nil {
		return nil, err
	}
	return &n, nil
}

func (n *scoreNorms) close() {
	if n != nil {
		n.z.Free()
		n.gs.Free()
		n.zs.Free()
	}
}

// recordLangevinSNR records the Langevin corrector step with the step size
// from the batch's norms: z is materialised once to measure it, and the
// update regenerates the same draw inline.
func recordLangevinSNR(lib *kernels.Lib, seq *vk.Sequence, sched *Schedule, n *scoreNorms, x, score *vk.Buffer, b, d int, snr float64, stream uint32) error {
	unit := kernels.Coef{Buf: sched.Coef, Col: sched.unit}
	if err := lib.LinComb(seq, n.z, b*d, unit, sched.State, kernels.NormalNoise, stream); err != nil {
		return err
	}
	scratch, err := lib.ReduceScratch()
	if err != nil {
		return err
	}
	if err := lib.Reduce(seq, kernels.ReduceSumSq, score, n.gs, scratch, b, d, 1, 1); err != nil {
		return err
	}
	if err := lib.Reduce(seq, kernels.ReduceSumSq, n.z, n.zs, scratch, b, d, 1, 1); err != nil {
		return err
	}
	if err := lib.LangevinSNR(seq, n.gs, n.zs, b, sched.State, sched.Coef, Stride, colAlpha, sched.dyn, float32(snr)); err != nil {
		return err
	}
	dyn := kernels.Coef{Buf: sched.Coef, Col: sched.dyn}
	return lib.LinComb(seq, x, b*d, dyn, sched.State, kernels.NormalNoise, stream, x, score)
}
