package bench

import (
	"fmt"
	"time"

	"github.com/sdevk/sdevk/vk"
)

// Case is one kernel measurement: prepare makes its inputs and records its
// commands once; the harness replays them (Run with its warm-up, repeats and
// time budget, `go test -bench` through benchtest with b.N repeats).
type Case struct {
	Op, Shape, Variant string
	// FLOPs and Bytes are the work of one operation, for GFLOPS and GBps.
	FLOPs, Bytes float64
	// PerReplay is the number of operations one replay runs (0 means 1):
	// times are divided by it.
	PerReplay int
	// Ref is the case this one is compared with, measured in the same run
	// (nil for none); see Row.VsRef.
	Ref *Case
	// Note is copied to the row.
	Note string
	// Device names where the case runs when that is not the Vulkan device
	// (the host CPU for gonum).
	Device string

	prepare func() (*Replay, error)
}

// Key names the case uniquely within a run.
func (c *Case) Key() string { return c.Op + " | " + c.Shape + " | " + c.Variant }

// Prepare makes the case's inputs and records its commands; the caller
// closes the replay.
func (c *Case) Prepare() (*Replay, error) { return c.prepare() }

// Row is the row of the case for times in milliseconds per replay on the
// named device.
func (c *Case) Row(device string, ms []float64) Row {
	if c.PerReplay > 1 {
		per := make([]float64, len(ms))
		for i := range ms {
			per[i] = ms[i] / float64(c.PerReplay)
		}
		ms = per
	}
	if c.Device != "" {
		device = c.Device
	}
	out := row(c.Op, c.Shape, c.Variant, device, ms, c.FLOPs, c.Bytes)
	out.Note = c.Note
	return out
}

// Replay is a prepared case: recorded commands (or a host function) run
// again and again.
type Replay struct {
	run  func() error
	seq  *vk.Sequence // when set, a run's time is its GPU time from timestamps
	free []func()
}

// Once runs the case once and returns its time in milliseconds: the summed
// GPU time of its dispatches when the case is GPU-timed, else wall time.
func (p *Replay) Once() (float64, error) {
	start := time.Now()
	if err := p.run(); err != nil {
		return 0, err
	}
	wall := float64(time.Since(start)) / 1e6
	if p.seq == nil {
		return wall, nil
	}
	t, err := p.seq.Timings()
	if err != nil {
		return 0, err
	}
	if len(t) == 0 {
		return 0, fmt.Errorf("the device reported no timestamps (no timestamp support?)")
	}
	total := 0.0
	for _, x := range t {
		total += float64(x.GPU) / 1e6
	}
	return total, nil
}

// Close releases the replay's sequence and buffers.
func (p *Replay) Close() {
	if p.seq != nil {
		p.seq.Destroy()
	}
	for _, f := range p.free {
		f()
	}
}

// hostReplay times f by wall time.
func hostReplay(f func() error) *Replay { return &Replay{run: f} }

// gpuReplay records rec with timestamps over bufs (freed on Close, and on
// error).
func (r *runner) gpuReplay(rec func(seq *vk.Sequence) error, bufs ...*vk.Buffer) (*Replay, error) {
	return r.replay(true, rec, bufs...)
}

// wallReplay records rec over bufs and times a submit by wall time.
func (r *runner) wallReplay(rec func(seq *vk.Sequence) error, bufs ...*vk.Buffer) (*Replay, error) {
	return r.replay(false, rec, bufs...)
}

func (r *runner) replay(gpu bool, rec func(seq *vk.Sequence) error, bufs ...*vk.Buffer) (*Replay, error) {
	p := &Replay{}
	for _, b := range bufs {
		p.free = append(p.free, b.Free)
	}
	seq, err := r.record(gpu, rec)
	if err != nil {
		p.Close()
		return nil, err
	}
	p.run = seq.Submit
	if gpu {
		p.seq = seq
	} else {
		p.free = append(p.free, seq.Destroy)
	}
	return p, nil
}

// measure prepares c and times it: warm-up runs, then repeats bounded by
// the time budget.
func (r *runner) measure(c *Case) (Row, error) {
	p, err := c.Prepare()
	if err != nil {
		return Row{}, fmt.Errorf("%s: %w", c.Key(), err)
	}
	defer p.Close()
	ms, err := r.times(p.Once)
	if err != nil {
		return Row{}, fmt.Errorf("%s: %w", c.Key(), err)
	}
	return c.Row(r.dev.Info.Name, ms), nil
}

// measureAll measures cases, each after its reference; done holds the rows
// already measured in this run (by key), so a reference shared by several
// cases or groups is measured once.
func (r *runner) measureAll(cases []*Case, done map[string]Row) ([]Row, error) {
	var rows []Row
	var add func(c *Case) error
	add = func(c *Case) error {
		if _, ok := done[c.Key()]; ok {
			return nil
		}
		if c.Ref != nil {
			if err := add(c.Ref); err != nil {
				return err
			}
		}
		out, err := r.measure(c)
		if err != nil {
			return err
		}
		if c.Ref != nil {
			out.CompareWith(done[c.Ref.Key()])
		}
		done[c.Key()] = out
		rows = append(rows, out)
		return nil
	}
	for _, c := range cases {
		if err := add(c); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// CompareWith sets VsRef (and says so in Note) from a reference row of the
// same run.
func (out *Row) CompareWith(ref Row) {
	unit := "speed"
	switch {
	case out.GBps > 0 && ref.GBps > 0:
		out.VsRef, unit = out.GBps/ref.GBps, "GB/s"
	case out.GFLOPS > 0 && ref.GFLOPS > 0:
		out.VsRef, unit = out.GFLOPS/ref.GFLOPS, "GFLOP/s"
	case out.MedianMs > 0:
		out.VsRef = ref.MedianMs / out.MedianMs
	default:
		return
	}
	out.Ref = ref.Op + " " + ref.Shape + " " + ref.Variant
	note := fmt.Sprintf("%.2fx the %s of %s (same run)", out.VsRef, unit, out.Ref)
	if out.Note != "" {
		note = out.Note + "; " + note
	}
	out.Note = note
}

// repeatsFor bounds the repeats of a row whose single run takes one.
func (r *runner) repeatsFor(one time.Duration) int {
	n := r.opt.Repeats
	if one > 0 && time.Duration(n)*one > r.budget {
		n = max(int(r.budget/one), 3)
	}
	return n
}

// warmFor is the least wall time of warm-up runs: a GPU that idled (while
// a host reference ran) keeps low clocks for a while, and a few short runs
// measured it 3x slow (SGEMM 2048 on an H200 right after gonum's).
const warmFor = 150 * time.Millisecond

// times runs once Warmup times and for at least warmFor (less when the runs
// are long), then repeatsFor times, and returns what once returned each
// repeat (milliseconds).
func (r *runner) times(once func() (float64, error)) ([]float64, error) {
	var one, total time.Duration
	for i := 0; (i < r.opt.Warmup || total < min(warmFor, r.budget/8)) && total < r.budget/4; i++ {
		start := time.Now()
		if _, err := once(); err != nil {
			return nil, err
		}
		one = time.Since(start)
		total += one
	}
	n := r.repeatsFor(one)
	ms := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		t, err := once()
		if err != nil {
			return nil, err
		}
		ms = append(ms, t)
	}
	return ms, nil
}

// wallTimes is times of f's wall time.
func (r *runner) wallTimes(f func() error) ([]float64, error) {
	return r.times(hostReplay(f).Once)
}
