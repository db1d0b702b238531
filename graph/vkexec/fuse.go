package vkexec

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// fuseElementwise turns runs of elementwise steps into one ewise dispatch
// each (a variable so tests can compare both ways). Autodiff and the SDE
// losses make long chains of small elementwise ops (a Taylor series by
// Horner, SiLU's backward pass); a dispatch per op costs tens of
// microseconds on lavapipe and several on a GPU, far above their
// arithmetic.
var fuseElementwise = true

// segment is what RecordInto records in order: one step, a fused run or
// a fused unit (a Dense layer, fuse_dense.go; a convolution and its bias,
// fuse_conv.go; a GroupNorm, its affine map and activation, fuse_norm.go).
type segment struct {
	step  *graph.Node // a step lowered on its own
	fused *fusedRun
	unit  unit
}

// unit is a few steps recorded as one kernel call: each step but the last
// is read only by the next ones of the unit.
type unit interface {
	out() *graph.Node // the last step, whose value the unit writes
	record(r *recorder, bufs map[*graph.Node]*vk.Buffer) error
}

// matchUnits finds the program's fused units, keyed by each of their steps.
func matchUnits(gp *graph.Program, lib *kernels.Lib) map[*graph.Node]unit {
	units := map[*graph.Node]unit{}
	for n, d := range matchDense(gp, lib) {
		units[n] = d
	}
	for n, c := range matchConvBias(gp, units) {
		units[n] = c
	}
	for n, g := range matchGroupNorm(gp, units) {
		units[n] = g
	}
	return units
}

// soleReaders returns a function that gives a step's only reader in the
// program, nil if it has none or several (an output counts as read by the
// caller).
func soleReaders(gp *graph.Program) func(*graph.Node) *graph.Node {
	readers := map[*graph.Node]int{}
	next := map[*graph.Node]*graph.Node{}
	for _, n := range gp.Steps {
		for _, x := range n.Inputs() {
			readers[x]++
			next[x] = n
		}
	}
	for _, n := range gp.Outputs {
		readers[n]++
	}
	return func(n *graph.Node) *graph.Node {
		if readers[n] != 1 {
			return nil
		}
		return next[n]
	}
}

// fusedRun is a run of consecutive elementwise steps of n elements each,
// computed by one program: it reads its inputs (leaves or earlier steps)
// and writes the members that later steps or the caller read.
type fusedRun struct {
	n      int
	prog   kernels.EwiseProgram
	inputs []*graph.Node // by input binding
	steps  []*graph.Node
	stored []*graph.Node // by output binding
}

// fusible reports whether step n can be a member of a fused run.
func fusible(n *graph.Node) bool {
	if n.Shape().Size() == 0 {
		return false
	}
	if _, ok := unaryOps[n.Kind()]; ok {
		return true
	}
	if _, ok := binaryOps[n.Kind()]; ok {
		return true
	}
	switch n.Kind() {
	case graph.OpAffine, graph.OpELU, graph.OpReshape, graph.OpFill:
		return true
	}
	return false
}

// loadIndex maps element i of a binary op's output to the element of an
// operand with the given broadcast strides (out and strides as
// kernels.BroadcastStrides gives them): (i / div) % mod, mod = 0 meaning i
// itself. ok is false when the operand's elements are not one contiguous
// block of the output's dimensions.
func loadIndex(out, strides [kernels.MaxBroadcastDims]int) (div, mod int, ok bool) {
	same := true
	st := 1
	for d := len(out) - 1; d >= 0; d-- {
		if out[d] > 1 && strides[d] != st {
			same = false
		}
		st *= out[d]
	}
	if same {
		return 1, 0, true
	}
	d0, d1, gap := -1, -1, false
	for d := range out {
		switch {
		case out[d] <= 1:
		case strides[d] != 0:
			if gap {
				return 0, 0, false // a broadcast dimension between two of the operand's
			}
			if d0 < 0 {
				d0 = d
			}
			d1 = d
		case d0 >= 0:
			gap = true
		}
	}
	if d0 < 0 {
		return 1, 1, true // a single value
	}
	st = 1
	for d := d1; d >= d0; d-- {
		if out[d] > 1 && strides[d] != st {
			return 0, 0, false
		}
		st *= out[d]
	}
	div = 1
	for d := d1 + 1; d < len(out); d++ {
		div *= out[d]
	}
	return div, st, true
}

// runBuilder grows one fused run.
type runBuilder struct {
	pos     map[*graph.Node]int // step order
	lastUse map[*graph.Node]int // last step reading a node; MaxInt for outputs
	n       int
	members []*graph.Node
	reg     map[*graph.Node]int // live member registers
	free    []int
	inputs  []*graph.Node   // external nodes, by input binding
	loads   map[loadKey]int // registers holding loaded inputs
	prog    kernels.EwiseProgram
}

// loadKey is one input read at one index mapping.
type loadKey struct {
	x        *graph.Node
	div, mod int
}

func (b *runBuilder) reset(n int) {
	b.n, b.members, b.inputs, b.prog = n, nil, nil, kernels.EwiseProgram{}
	b.reg, b.loads = map[*graph.Node]int{}, map[loadKey]int{}
	b.free = b.free[:0]
	for r := kernels.EwiseRegs - 1; r >= 0; r-- {
		b.free = append(b.free, r)
	}
}

// operand is one input of a step: a member's register, or a load.
type operand struct {
	x        *graph.Node
	div, mod int
	member   bool
}

// plan checks whether step n can join the run and returns its operands.
func (b *runBuilder) plan(n *graph.Node) ([]operand, bool) {
	if !fusible(n) || n.Shape().Size() != b.n {
		return nil, false
	}
	ops := make([]operand, len(n.Inputs()))
	var out, sa, sb [kernels.MaxBroadcastDims]int
	if _, ok := binaryOps[n.Kind()]; ok {
		var err error
		if out, sa, sb, err = kernels.BroadcastStrides(n.Inputs()[0].Shape(), n.Inputs()[1].Shape()); err != nil {
			return nil, false
		}
	}
	newInputs, newLoads := 0, 0
	seen := map[loadKey]bool{}
	for i, x := range n.Inputs() {
		ops[i] = operand{x: x, div: 1}
		if len(n.Inputs()) == 2 {
			strides := sa
			if i == 1 {
				strides = sb
			}
			div, mod, ok := loadIndex(out, strides)
			if !ok {
				return nil, false
			}
			ops[i].div, ops[i].mod = div, mod
		}
		if _, ok := b.reg[x]; ok {
			if ops[i].mod != 0 {
				return nil, false // a member is one element per element
			}
			ops[i].member = true
			continue
		}
		key := loadKey{x, ops[i].div, ops[i].mod}
		if _, ok := b.loads[key]; ok || seen[key] {
			continue
		}
		seen[key] = true
		newLoads++
		if !b.hasInput(x) && (i == 0 || x != n.Inputs()[0]) {
			newInputs++
		}
	}
	// Outputs: members read after this step, this one included.
	stored := 0
	at := b.pos[n]
	for _, m := range append(b.members, n) {
		if b.lastUse[m] > at {
			stored++
		}
	}
	// Registers: the live members, the loaded inputs and the result.
	// Slots: the loads, the op and the stores that finish adds.
	ok := len(b.inputs)+newInputs <= kernels.EwiseInputs &&
		len(b.reg)+len(b.loads)+newLoads+1 <= kernels.EwiseRegs &&
		b.prog.Len()+newLoads+1+stored <= kernels.EwiseSlots &&
		stored <= kernels.EwiseOutputs
	return ops, ok
}

func (b *runBuilder) hasInput(x *graph.Node) bool {
	for _, in := range b.inputs {
		if in == x {
			return true
		}
	}
	return false
}

func (b *runBuilder) alloc() int {
	r := b.free[len(b.free)-1]
	b.free = b.free[:len(b.free)-1]
	return r
}

// add appends step n (planned as ops) to the program.
func (b *runBuilder) add(n *graph.Node, ops []operand) error {
	src := make([]int, len(ops))
	for i, o := range ops {
		if o.member {
			src[i] = b.reg[o.x]
			continue
		}
		key := loadKey{o.x, o.div, o.mod}
		if r, ok := b.loads[key]; ok {
			src[i] = r
			continue
		}
		k := -1
		for j, in := range b.inputs {
			if in == o.x {
				k = j
			}
		}
		if k < 0 {
			k = len(b.inputs)
			b.inputs = append(b.inputs, o.x)
		}
		src[i] = b.alloc()
		b.loads[key] = src[i]
		if err := b.prog.Load(src[i], k, o.div, o.mod); err != nil {
			return err
		}
	}
	dst := b.alloc()
	var err error
	switch kind := n.Kind(); {
	case kind == graph.OpAffine:
		a := n.Attr().(graph.AffineAttr)
		err = b.prog.Unary(dst, kernels.Identity, src[0], float32(a.Scale), float32(a.Shift), 0)
	case kind == graph.OpELU:
		err = b.prog.Unary(dst, kernels.ELU, src[0], 1, 0, float32(n.Attr().(graph.ELUAttr).Alpha))
	case kind == graph.OpReshape:
		err = b.prog.Unary(dst, kernels.Identity, src[0], 1, 0, 0)
	case kind == graph.OpFill:
		err = b.prog.Const(dst, float32(n.Attr().(graph.FillAttr).Value))
	default:
		if op, ok := unaryOps[kind]; ok {
			err = b.prog.Unary(dst, op, src[0], 1, 0, 0)
		} else {
			err = b.prog.Binary(dst, binaryOps[kind], src[0], src[1])
		}
	}
	if err != nil {
		return err
	}
	b.members = append(b.members, n)
	b.reg[n] = dst
	// Members nothing reads after this step give their registers back.
	at := b.pos[n]
	for _, o := range ops {
		if r, ok := b.reg[o.x]; ok && o.member && b.lastUse[o.x] <= at {
			delete(b.reg, o.x)
			b.free = append(b.free, r)
		}
	}
	return nil
}

// finish stores the members read after the run and returns it (nil for a
// single step, which is lowered on its own).
func (b *runBuilder) finish() (*fusedRun, error) {
	if len(b.members) < 2 {
		return nil, nil
	}
	run := &fusedRun{n: b.n, steps: b.members, inputs: b.inputs}
	end := b.pos[b.members[len(b.members)-1]]
	for _, m := range b.members {
		if b.lastUse[m] > end {
			if err := b.prog.Store(len(run.stored), b.reg[m]); err != nil {
				return nil, err
			}
			run.stored = append(run.stored, m)
		}
	}
	run.prog = b.prog
	return run, nil
}

// buffers returns the run's input and output buffers. Planning with
// runEnd keeps every input alive through the run, so no output can share
// an input's memory (which one dispatch reading all inputs first could not
// order); this checks it.
func (f *fusedRun) buffers(bufs map[*graph.Node]*vk.Buffer) (ins, outs []*vk.Buffer, err error) {
	for _, m := range f.stored {
		outs = append(outs, bufs[m])
	}
	for _, x := range f.inputs {
		in := bufs[x]
		for i, o := range outs {
			if in.Overlaps(o) && !in.SameRange(o) {
				return nil, nil, fmt.Errorf("vkexec: the fused run's output %v overlaps its input %v", f.stored[i], x)
			}
		}
		ins = append(ins, in)
	}
	return ins, outs, nil
}

// fuseSteps groups the program's steps into fused runs, fused units and
// single steps (in order), and returns for each step index the index of
// the last step of its run, for the planner (nil when no run formed). A
// unit is recorded at its last step; elementwise runs may span its other
// steps, which only it reads. The views (reshapes bound to their leaf's
// buffer) record nothing, so runs span them too.
func fuseSteps(gp *graph.Program, lib *kernels.Lib, views map[*graph.Node]bool) ([]segment, []int, error) {
	steps := gp.Steps
	units := matchUnits(gp, lib)
	b := &runBuilder{pos: map[*graph.Node]int{}, lastUse: map[*graph.Node]int{}}
	for i, n := range steps {
		b.pos[n] = i
	}
	runEnd := make([]int, len(steps))
	fusedAny := len(units) > 0
	for i, n := range steps {
		runEnd[i] = i
		if d := units[n]; d != nil {
			runEnd[i] = b.pos[d.out()]
		}
		for _, x := range n.Inputs() {
			b.lastUse[x] = max(b.lastUse[x], runEnd[i])
		}
	}
	for _, n := range gp.Outputs {
		b.lastUse[n] = math.MaxInt
	}
	var segs []segment
	// single appends step n as a segment of its own, or its unit's
	// segment at the unit's last step.
	single := func(n *graph.Node) {
		if d := units[n]; d == nil {
			segs = append(segs, segment{step: n})
		} else if n == d.out() {
			segs = append(segs, segment{unit: d})
		}
	}
	if !fuseElementwise || lib.Dev.Info.Limits.MaxStorageBuffersPerSet < kernels.EwiseInputs+kernels.EwiseOutputs {
		for _, n := range steps {
			single(n)
		}
		if !fusedAny {
			return segs, nil, nil
		}
		return segs, runEnd, nil
	}
	flush := func() error {
		run, err := b.finish()
		if err != nil {
			return err
		}
		if run == nil {
			for _, m := range b.members {
				segs = append(segs, segment{step: m})
			}
			return nil
		}
		end := b.pos[run.steps[len(run.steps)-1]]
		for _, m := range run.steps {
			runEnd[b.pos[m]] = end
		}
		segs = append(segs, segment{fused: run})
		fusedAny = true
		return nil
	}
	b.reset(0)
	for _, n := range steps {
		if views[n] {
			segs = append(segs, segment{step: n})
			continue
		}
		if d := units[n]; d != nil {
			if n == d.out() {
				if err := flush(); err != nil {
					return nil, nil, err
				}
				single(n)
				b.reset(0)
			}
			continue
		}
		ops, ok := b.plan(n)
		if !ok {
			if err := flush(); err != nil {
				return nil, nil, err
			}
			if !fusible(n) {
				segs = append(segs, segment{step: n})
				b.reset(0)
				continue
			}
			b.reset(n.Shape().Size())
			if ops, ok = b.plan(n); !ok {
				// An operand no load can index (a broadcast split by
				// another dimension): the general kernel does it.
				segs = append(segs, segment{step: n})
				b.reset(0)
				continue
			}
		}
		if err := b.add(n, ops); err != nil {
			return nil, nil, fmt.Errorf("vkexec: fusing %v: %w", n, err)
		}
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	if !fusedAny {
		return segs, nil, nil
	}
	return segs, runEnd, nil
}
