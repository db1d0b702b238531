package graph

import (
	"fmt"
	"slices"
)

// PlanOptions tune memory planning.
type PlanOptions struct {
	// Align is the alignment of buffer offsets in bytes (default 256, the
	// largest minStorageBufferOffsetAlignment of common Vulkan devices).
	Align int
	// RunEnd, when set, gives for each step index the last step of the
	// run it belongs to: an executor that computes steps i..RunEnd[i] in
	// one kernel reads all their inputs before writing, so the inputs
	// stay alive to the run's end.
	RunEnd []int
	// Alias, when set, gives for each step index the earlier step whose
	// buffer it shares (-1: a buffer of its own): a reshape is its input's
	// bytes, so the shared buffer lives until the last reader of either.
	Alias []int
}

// Buffer is the place of one step's output in the arena: bytes
// [Offset, Offset+Bytes), written by step First and last read by step Last
// (len(steps) for program outputs, which survive the run).
type Buffer struct {
	Node          *Node
	Offset, Bytes int
	First, Last   int
	// Alias is the index of the buffer this one shares (-1: its own).
	Alias int
}

// Plan assigns every intermediate (op output) of a program a range of one
// arena. Buffers whose lifetimes do not overlap may share memory: a buffer
// is free once the last step reading it has run. Outputs are never reused.
type Plan struct {
	Buffers []Buffer // one per step, in step order
	Align   int
	// ArenaBytes is the planned peak: the arena size.
	ArenaBytes int
	// SumBytes is the sum of all intermediates, the memory an unplanned
	// executor would use.
	SumBytes int
	// LiveBytes is the largest total size of buffers alive at once, a lower
	// bound on ArenaBytes for any placement.
	LiveBytes int
	index     map[*Node]int
}

// Buffer returns the buffer of step node n.
func (p *Plan) Buffer(n *Node) (Buffer, bool) {
	i, ok := p.index[n]
	if !ok {
		return Buffer{}, false
	}
	return p.Buffers[i], true
}

func alignUp(x, a int) int { return (x + a - 1) / a * a }

// PlanMemory places the outputs of steps (in execution order) in one arena
// by liveness analysis and first-fit allocation; keep lists the nodes that
// must outlive the run.
func PlanMemory(steps []*Node, keep []*Node, opts PlanOptions) *Plan {
	align := opts.Align
	if align <= 0 {
		align = 256
	}
	p := &Plan{Align: align, index: make(map[*Node]int, len(steps))}
	for i, n := range steps {
		p.index[n] = i
		p.Buffers = append(p.Buffers, Buffer{Node: n, Bytes: n.shape.Bytes(), First: i, Last: i, Alias: -1})
		p.SumBytes += n.shape.Bytes()
		if i < len(opts.Alias) && opts.Alias[i] >= 0 && opts.Alias[i] < i && n.shape.Bytes() <= p.Buffers[opts.Alias[i]].Bytes {
			root := opts.Alias[i]
			if r := p.Buffers[root].Alias; r >= 0 {
				root = r
			}
			p.Buffers[i].Alias = root
		}
	}
	for i, n := range steps {
		end := i
		if i < len(opts.RunEnd) {
			end = max(i, opts.RunEnd[i])
		}
		for _, in := range n.inputs {
			if j, ok := p.index[in]; ok {
				p.Buffers[j].Last = max(p.Buffers[j].Last, end)
			}
		}
	}
	for _, n := range keep {
		if j, ok := p.index[n]; ok {
			p.Buffers[j].Last = len(steps)
		}
	}
	for i := range p.Buffers {
		if r := p.Buffers[i].Alias; r >= 0 {
			p.Buffers[r].Last = max(p.Buffers[r].Last, p.Buffers[i].Last)
		}
	}

	// live holds the indices of allocated buffers, sorted by offset.
	var live []int
	liveBytes := 0
	for i := range steps {
		live = slices.DeleteFunc(live, func(j int) bool {
			if p.Buffers[j].Last < i {
				liveBytes -= p.Buffers[j].Bytes
				return true
			}
			return false
		})
		b := &p.Buffers[i]
		if b.Alias >= 0 {
			b.Offset = p.Buffers[b.Alias].Offset
			continue
		}
		off, at := 0, len(live)
		for k, j := range live {
			if off+b.Bytes <= p.Buffers[j].Offset {
				at = k
				break
			}
			off = max(off, alignUp(p.Buffers[j].Offset+p.Buffers[j].Bytes, align))
		}
		b.Offset = off
		live = slices.Insert(live, at, i)
		liveBytes += b.Bytes
		p.LiveBytes = max(p.LiveBytes, liveBytes)
		p.ArenaBytes = max(p.ArenaBytes, off+b.Bytes)
	}
	return p
}

// Validate checks that no two buffers alive at the same step overlap and
// that all offsets are aligned and inside the arena.
func (p *Plan) Validate() error {
	for i, a := range p.Buffers {
		if a.Offset%p.Align != 0 || a.Offset < 0 || a.Offset+a.Bytes > p.ArenaBytes {
			return fmt.Errorf("graph: plan: buffer of %v at [%d, %d) misaligned or outside arena of %d bytes",
				a.Node, a.Offset, a.Offset+a.Bytes, p.ArenaBytes)
		}
		if r := a.Alias; r >= 0 && (r >= i || a.Offset != p.Buffers[r].Offset || a.Bytes > p.Buffers[r].Bytes || p.Buffers[r].Last < a.Last) {
			return fmt.Errorf("graph: plan: buffer of %v is not within the buffer of %v it aliases, for its lifetime", a.Node, p.Buffers[r].Node)
		}
		for _, b := range p.Buffers[i+1:] {
			if b.Alias == i || (a.Alias >= 0 && a.Alias == b.Alias) {
				continue // one buffer by design
			}
			lifetimes := a.First <= b.Last && b.First <= a.Last
			memory := a.Offset < b.Offset+b.Bytes && b.Offset < a.Offset+a.Bytes
			if lifetimes && memory {
				return fmt.Errorf("graph: plan: buffers of %v and %v overlap while both are live", a.Node, b.Node)
			}
		}
	}
	return nil
}

// String summarises the plan.
func (p *Plan) String() string {
	return fmt.Sprintf("%d buffers: planned peak %d bytes, live peak %d, unplanned sum %d (%.1f%%)",
		len(p.Buffers), p.ArenaBytes, p.LiveBytes, p.SumBytes, 100*float64(p.ArenaBytes)/float64(max(p.SumBytes, 1)))
}
