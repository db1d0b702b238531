package vkexec

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Executor compiles graphs for one device and owns their parameters.
type Executor struct {
	Lib    *kernels.Lib
	Params *ParamStore
}

// New returns an executor on dev with an empty parameter store.
func New(dev *vk.Device) *Executor {
	return &Executor{Lib: kernels.New(dev), Params: NewParamStore(dev)}
}

// Program is a compiled, recorded graph.
type Program struct {
	exec    *Executor
	Program *graph.Program
	arena   *vk.Buffer
	bufs    map[*graph.Node]*vk.Buffer
	inputs  map[string]*graph.Node
	owned   []*vk.Buffer // leaf buffers this program allocated
	state   *vk.Buffer   // run state (kernels.SDEStateWords): step, seed lo, seed hi
	unit    *vk.Buffer   // the coefficients (1, 0) that turn LinComb into a plain draw
	seq     *vk.Sequence
	segs    []segment              // the steps as RecordInto records them (fuse.go)
	kept    map[convKey]int        // convolutions keeping their transformed input (conv_save.go)
	saved   map[convKey]*vk.Buffer // and the buffers keeping them, made at the first recording
}

// Options adjust Compile.
type Options struct {
	// Bind gives Input nodes (by name) device buffers of the caller's instead
	// of buffers of their own: a sampler binds its state x to the score
	// network's input, so no copy is needed.
	Bind map[string]*vk.Buffer
}

// Compile plans, lowers and records the graph computing outputs.
func (e *Executor) Compile(outputs ...*graph.Node) (*Program, error) {
	return e.CompileWith(Options{}, outputs...)
}

// CompileWith is Compile with options.
func (e *Executor) CompileWith(opts Options, outputs ...*graph.Node) (*Program, error) {
	dev := e.Lib.Dev
	align := int(dev.ViewAlign())
	gp, err := graph.Compile(&graph.PlanOptions{Align: align}, outputs...)
	if err != nil {
		return nil, err
	}
	views := leafReshapes(gp)
	segs, runEnd, err := fuseSteps(gp, e.Lib, views)
	if err != nil {
		return nil, err
	}
	if alias := reshapeAliases(gp); runEnd != nil || alias != nil {
		// Plan again: a fused run reads all its inputs before it writes,
		// so they stay alive to the end of their run; a reshape shares its
		// input's buffer.
		gp.Plan = graph.PlanMemory(gp.Steps, gp.Outputs, graph.PlanOptions{Align: align, RunEnd: runEnd, Alias: alias})
	}
	p := &Program{exec: e, Program: gp, segs: segs, kept: keptTransforms(gp, e.Lib), saved: map[convKey]*vk.Buffer{}, bufs: map[*graph.Node]*vk.Buffer{}, inputs: map[string]*graph.Node{}}
	ok := false
	defer func() {
		if !ok {
			p.Release()
		}
	}()
	for _, n := range gp.Steps {
		if lowerings[n.Kind()] == nil {
			return nil, fmt.Errorf("vkexec: op %v has no Vulkan lowering yet", n)
		}
	}
	if p.state, err = dev.NewBufferF32(kernels.SDEStateWords); err != nil {
		return nil, err
	}
	if p.unit, err = dev.NewBufferF32(2); err != nil {
		return nil, err
	}
	p.owned = append(p.owned, p.state, p.unit)
	if err := p.unit.Upload([]float32{1, 0}); err != nil {
		return nil, err
	}
	if err := p.bindLeaves(opts.Bind); err != nil {
		return nil, err
	}
	if p.arena, err = dev.NewArena(uint64(gp.Plan.ArenaBytes)); err != nil {
		return nil, fmt.Errorf("vkexec: arena of %d bytes: %w", gp.Plan.ArenaBytes, err)
	}
	for _, b := range gp.Plan.Buffers {
		v, err := p.arena.View(uint64(b.Offset), uint64(b.Bytes))
		if err != nil {
			return nil, fmt.Errorf("vkexec: %v: %w", b.Node, err)
		}
		p.bufs[b.Node] = v
	}
	for n := range views {
		p.bufs[n] = p.bufs[n.Inputs()[0]] // its lowering sees the same range and records nothing
	}
	if p.seq, err = dev.NewSequence(false); err != nil {
		return nil, err
	}
	if err := p.record(); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

// leafReshapes returns the program's reshapes of leaves (a bias [C] viewed
// as [C, 1, 1]). Each one is bound to its leaf's buffer: no copy, and no
// step that would split an elementwise run where it stands (a U-Net's
// GroupNorm affine map and activation were three passes instead of one).
func leafReshapes(gp *graph.Program) map[*graph.Node]bool {
	leaf := make(map[*graph.Node]bool, len(gp.Leaves))
	for _, n := range gp.Leaves {
		leaf[n] = true
	}
	out := map[*graph.Node]bool{}
	for _, n := range gp.Steps {
		if n.Kind() == graph.OpReshape && leaf[n.Inputs()[0]] {
			out[n] = true
		}
	}
	return out
}

// reshapeAliases maps every reshape of a step to that step (its bytes are
// the same), for the planner; nil when there is none.
func reshapeAliases(gp *graph.Program) []int {
	index := make(map[*graph.Node]int, len(gp.Steps))
	var alias []int
	for i, n := range gp.Steps {
		index[n] = i
		if n.Kind() != graph.OpReshape {
			continue
		}
		if j, ok := index[n.Inputs()[0]]; ok {
			if alias == nil {
				alias = make([]int, len(gp.Steps))
				for k := range alias {
					alias[k] = -1
				}
			}
			alias[i] = j
		}
	}
	return alias
}

// bindLeaves gives every Input and Const a buffer of its own and every Param
// its store buffer.
func (p *Program) bindLeaves(bind map[string]*vk.Buffer) error {
	dev := p.exec.Lib.Dev
	for _, n := range p.Program.Leaves {
		if b, ok := bind[n.Name()]; ok && n.Kind() == graph.OpInput {
			if b.Len() < n.Shape().Size() {
				return fmt.Errorf("vkexec: the buffer bound to input %q holds %d values, needs %d", n.Name(), b.Len(), n.Shape().Size())
			}
			p.bufs[n] = b
			p.inputs[n.Name()] = n
			continue
		}
		switch n.Kind() {
		case graph.OpParam:
			b := p.exec.Params.Buffer(n.Name())
			if b == nil {
				return fmt.Errorf("vkexec: param %q has no value in the store", n.Name())
			}
			if !p.exec.Params.Shape(n.Name()).Equal(n.Shape()) {
				return fmt.Errorf("vkexec: param %q is %v in the store but %v in the graph", n.Name(), p.exec.Params.Shape(n.Name()), n.Shape())
			}
			p.bufs[n] = b
		case graph.OpInput, graph.OpConst:
			b, err := dev.NewBufferF32(n.Shape().Size())
			if err != nil {
				return fmt.Errorf("vkexec: %v: %w", n, err)
			}
			p.owned = append(p.owned, b)
			p.bufs[n] = b
			if n.Kind() == graph.OpInput {
				p.inputs[n.Name()] = n
				continue
			}
			vals := n.Attr().(graph.ConstAttr).Values
			f := make([]float32, len(vals))
			for i, v := range vals {
				f[i] = float32(v)
			}
			if err := b.Upload(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Program) record() error {
	if err := p.seq.Begin(); err != nil {
		return err
	}
	if err := p.RecordInto(p.seq); err != nil {
		return err
	}
	return p.seq.End()
}

// RecordInto records the program's kernels into seq, a sequence of the
// caller's (a sampling loop records the score network once per step). The
// random draws use the program's run state (SetRunState).
func (p *Program) RecordInto(seq *vk.Sequence) error {
	r := &recorder{lib: p.exec.Lib, seq: seq, state: p.state, unit: p.unit, kept: p.kept, saved: p.saved}
	defer func() { p.owned = append(p.owned, r.temps...) }()
	for _, s := range p.segs {
		if u := s.unit; u != nil {
			if err := u.record(r, p.bufs); err != nil {
				return fmt.Errorf("vkexec: recording the fused unit ending at %v: %w", u.out(), err)
			}
			continue
		}
		if f := s.fused; f != nil {
			ins, outs, err := f.buffers(p.bufs)
			if err != nil {
				return err
			}
			if err := r.lib.Ewise(seq, &f.prog, f.n, ins, outs); err != nil {
				return fmt.Errorf("vkexec: recording the fused run %v..%v: %w", f.steps[0], f.steps[len(f.steps)-1], err)
			}
			continue
		}
		n := s.step
		in := make([]*vk.Buffer, len(n.Inputs()))
		for i, x := range n.Inputs() {
			in[i] = p.bufs[x]
		}
		if err := lowerings[n.Kind()](r, n, in, p.bufs[n]); err != nil {
			return fmt.Errorf("vkexec: recording %v: %w", n, err)
		}
	}
	return nil
}

// SetInput writes the value of the Input node called name for the next runs.
func (p *Program) SetInput(name string, values []float32) error {
	n, ok := p.inputs[name]
	if !ok {
		return fmt.Errorf("vkexec: the program has no input %q", name)
	}
	if len(values) != n.Shape().Size() {
		return fmt.Errorf("vkexec: input %q takes %d values (shape %v), got %d", name, n.Shape().Size(), n.Shape(), len(values))
	}
	return p.bufs[n].Upload(values)
}

// InputBuffer returns the device buffer of the Input called name, for callers
// that fill it on the device.
func (p *Program) InputBuffer(name string) *vk.Buffer {
	if n, ok := p.inputs[name]; ok {
		return p.bufs[n]
	}
	return nil
}

// SetRunState sets the seed and step that key the program's random draws.
func (p *Program) SetRunState(seed uint64, step uint32) error {
	return p.state.UploadU32([]uint32{step, uint32(seed), uint32(seed >> 32), 0})
}

// Run executes the recorded program once; seed and step key its random draws.
func (p *Program) Run(seed uint64, step uint32) error {
	if err := p.SetRunState(seed, step); err != nil {
		return err
	}
	return p.seq.Submit()
}

// RunAsync submits the recorded program without waiting; Wait waits.
func (p *Program) RunAsync(seed uint64, step uint32) error {
	if err := p.SetRunState(seed, step); err != nil {
		return err
	}
	return p.seq.SubmitAsync()
}

// Wait waits for the last RunAsync.
func (p *Program) Wait() error { return p.seq.Wait() }

// Timings is the GPU time of each dispatch of the last run, on a device
// opened with vk.Options.Profile (nil otherwise).
func (p *Program) Timings() ([]vk.Timing, error) { return p.seq.Timings() }

// Read copies the value of node n (an output, or any leaf) to the host.
func (p *Program) Read(n *graph.Node) ([]float32, error) {
	b, ok := p.bufs[n]
	if !ok {
		return nil, fmt.Errorf("vkexec: %v is not part of the program", n)
	}
	if pb, isStep := p.Program.Plan.Buffer(n); isStep && pb.Last < len(p.Program.Steps) {
		return nil, fmt.Errorf("vkexec: %v is an intermediate whose memory is reused; compile it as an output", n)
	}
	out := make([]float32, n.Shape().Size())
	return out, b.Download(out)
}

// Buffer returns the device buffer holding node n's value.
func (p *Program) Buffer(n *graph.Node) *vk.Buffer { return p.bufs[n] }

// Plan returns the memory plan of the program.
func (p *Program) Plan() *graph.Plan { return p.Program.Plan }

// KeptBytes is the device memory, outside the plan's arena, that keeps
// convolutions' transformed inputs for their filter gradients
// (conv_save.go).
func (p *Program) KeptBytes() int {
	n := 0
	for _, m := range p.kept {
		n += 4 * m
	}
	return n
}

// Release frees the program's device objects (not the parameters).
func (p *Program) Release() {
	if p.seq != nil {
		p.seq.Destroy()
	}
	for _, b := range p.owned {
		b.Free()
	}
	if p.arena != nil {
		p.arena.Free()
	}
	p.owned, p.arena, p.seq = nil, nil, nil
}
