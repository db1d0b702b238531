package sampling

import (
	"fmt"
	"maps"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/rng"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
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
	// Bound gives more inputs of Build's graph, by name, buffers that
	// others fill before Record (a guided oracle's score).
	Bound map[string]*vk.Buffer

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
	bind := map[string]*vk.Buffer{"x": x}
	maps.Copy(bind, s.Bound)
	p, err := s.Exec.CompileWith(vkexec.Options{Bind: bind}, s.out)
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

// Close frees the compiled program (once: a later Bind that fails leaves
// nothing to free).
func (s *NetScore) Close() {
	if s.prog != nil {
		s.prog.Release()
		s.prog = nil
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
// from the norms of the score and of the noise: z is materialised once to
// measure it; with perSample each sample steps by its own norms
// (kernels.LangevinPerSample), else by the batch's mean norms, the update
// regenerating the same draw inline.
func recordLangevinSNR(lib *kernels.Lib, seq *vk.Sequence, sched *Schedule, n *scoreNorms, x, score *vk.Buffer, b, d int, snr float64, stream uint32, perSample bool) error {
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
	if perSample {
		return lib.LangevinPerSample(seq, x, score, n.z, n.gs, n.zs, b, d, sched.State, sched.Coef, Stride, colAlpha, float32(snr))
	}
	if err := lib.LangevinSNR(seq, n.gs, n.zs, b, sched.State, sched.Coef, Stride, colAlpha, sched.dyn, float32(snr)); err != nil {
		return err
	}
	dyn := kernels.Coef{Buf: sched.Coef, Col: sched.dyn}
	return lib.LinComb(seq, x, b*d, dyn, sched.State, kernels.NormalNoise, stream, x, score)
}

// Divergence estimators of NetScore.RecordDiv.
const (
	DivExact      = "exact"      // D backward passes with one-hot cotangents
	DivRademacher = "rademacher" // Hutchinson-Skilling with Rademacher probes
	DivGaussian   = "gaussian"   // Hutchinson-Skilling with Gaussian probes
)

// NetDivScore is a NetScore that also estimates the divergence of the score
// per point for the likelihood: exactly, or by Hutchinson-Skilling,
// v^T (ds/dx) v averaged over Probes probes drawn once (seeded by ProbeSeed)
// and held fixed along the ODE, as score_sde does.
type NetDivScore struct {
	NetScore
	Estimator string
	Probes    int
	ProbeSeed uint64

	divProg *vkexec.Program
	divOut  [2]*graph.Node // score, divergence
}

// Bind compiles the score network with its divergence.
func (s *NetDivScore) Bind(x *vk.Buffer, b, d int, sched *Schedule) error {
	if err := s.NetScore.Bind(x, b, d, sched); err != nil {
		return err
	}
	g := graph.New()
	xn, tn := g.Input("x", b, d), g.Input("t", b)
	sc := s.Build(g, xn, tn)
	var div *graph.Node
	var probes [][]float32
	switch s.Estimator {
	case DivExact:
		for j := 0; j < d; j++ {
			onehot := make([]float64, b*d)
			for i := 0; i < b; i++ {
				onehot[i*d+j] = 1
			}
			e := g.Const(onehot, b, d)
			gs, err := graph.VJP([]*graph.Node{sc}, []*graph.Node{e}, []*graph.Node{xn})
			if err != nil {
				return err
			}
			term := graph.ReduceSum(graph.Mul(gs[0], e), []int{1}, false)
			if div == nil {
				div = term
			} else {
				div = graph.Add(div, term)
			}
		}
	case DivRademacher, DivGaussian:
		k := max(s.Probes, 1)
		for p := 0; p < k; p++ {
			v := g.Input(fmt.Sprintf("probe%d", p), b, d)
			gs, err := graph.VJP([]*graph.Node{sc}, []*graph.Node{v}, []*graph.Node{xn})
			if err != nil {
				return err
			}
			term := graph.ReduceSum(graph.Mul(gs[0], v), []int{1}, false)
			if div == nil {
				div = term
			} else {
				div = graph.Add(div, term)
			}
			z := make([]float64, b*d)
			key := rng.Key{Seed: s.ProbeSeed, Stream: rng.StreamProbe, Step: uint32(p)}
			if s.Estimator == DivRademacher {
				rng.Rademacher(z, key)
			} else {
				rng.Normal(z, key)
			}
			f := make([]float32, len(z))
			for i := range z {
				f[i] = float32(z[i])
			}
			probes = append(probes, f)
		}
		div = graph.Scale(div, 1/float64(k))
	default:
		return fmt.Errorf("sampling: unknown divergence estimator %q (want exact, rademacher or gaussian)", s.Estimator)
	}
	if err := g.Err(); err != nil {
		return err
	}
	p, err := s.Exec.CompileWith(vkexec.Options{Bind: map[string]*vk.Buffer{"x": x, "t": s.t}}, sc, div)
	if err != nil {
		return err
	}
	for i, v := range probes {
		if err := p.SetInput(fmt.Sprintf("probe%d", i), v); err != nil {
			p.Release()
			return err
		}
	}
	s.divProg, s.divOut = p, [2]*graph.Node{sc, div}
	return nil
}

// RecordDiv records the score and the divergence estimate.
func (s *NetDivScore) RecordDiv(seq *vk.Sequence) (*vk.Buffer, *vk.Buffer, error) {
	if err := s.sched.FillColumn(s.Exec.Lib, seq, s.t, s.b, ColT); err != nil {
		return nil, nil, err
	}
	if err := s.divProg.RecordInto(seq); err != nil {
		return nil, nil, err
	}
	return s.divProg.Buffer(s.divOut[0]), s.divProg.Buffer(s.divOut[1]), nil
}

// Close frees both programs.
func (s *NetDivScore) Close() {
	s.NetScore.Close()
	if s.divProg != nil {
		s.divProg.Release()
	}
}
