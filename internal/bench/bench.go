package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Row is one measurement.
type Row struct {
	Op       string  `json:"op"`
	Shape    string  `json:"shape"`
	Variant  string  `json:"variant"`
	Device   string  `json:"device"`
	MedianMs float64 `json:"median_ms"`
	MinMs    float64 `json:"min_ms"`
	MaxMs    float64 `json:"max_ms"`
	GFLOPS   float64 `json:"gflops"`
	GBps     float64 `json:"gbps"`
	// HostUs is the host CPU time per replayed step (graph benchmarks).
	HostUs float64 `json:"host_us,omitempty"`
	// PlannedBytes and UnplannedBytes compare a program's planned arena with
	// the sum of its intermediates.
	PlannedBytes   int `json:"planned_bytes,omitempty"`
	UnplannedBytes int `json:"unplanned_bytes,omitempty"`
	// Note explains what a row measures when the columns do not.
	Note string `json:"note,omitempty"`
}

// Options selects what Run measures.
type Options struct {
	// Ops names the groups to run: "sgemm", "fused", "copy", "dispatch",
	// "gonum". Empty runs all.
	Ops []string
	// Quick runs SGEMM at 256 and 512 only, with fewer repeats.
	Quick bool
	// Profile adds, after each training-step and sampling row, one
	// "profile" row per kernel: its GPU time in one training step or one
	// recorded chunk of sampling steps. The device must be opened with
	// vk.Options.Profile.
	Profile bool
	// Repeats and Warmup are the timed and untimed runs per row (defaults
	// 10 and 2, Quick 3 and 1).
	Repeats, Warmup int
}

// Ops lists the benchmark groups in the order Run measures them. The default
// run (no Ops) measures the first five, the shader micro-benchmarks; the
// model-level groups run when named.
var Ops = []string{"sgemm", "gonum", "fused", "copy", "dispatch", "conv2d", "attention", "trainstep", "sampling"}

// defaultOps are measured when Options.Ops is empty.
var defaultOps = Ops[:5]

type runner struct {
	dev    *vk.Device
	lib    *kernels.Lib
	opt    Options
	budget time.Duration // rough time limit per row
	rng    *rand.Rand
}

// Run measures the selected groups on dev and returns their rows.
func Run(dev *vk.Device, opt Options) ([]Row, error) {
	for _, op := range opt.Ops {
		if !slices.Contains(Ops, op) {
			return nil, fmt.Errorf("bench: unknown op %q (known: %s)", op, strings.Join(Ops, ", "))
		}
	}
	if opt.Repeats <= 0 {
		opt.Repeats = 10
		if opt.Quick {
			opt.Repeats = 3
		}
	}
	if opt.Warmup <= 0 {
		opt.Warmup = 2
		if opt.Quick {
			opt.Warmup = 1
		}
	}
	r := &runner{dev: dev, lib: kernels.New(dev), opt: opt, budget: 4 * time.Second, rng: rand.New(rand.NewPCG(1, 2))}
	if opt.Quick {
		r.budget = time.Second
	}
	groups := map[string]func() ([]Row, error){
		"sgemm": r.sgemm, "gonum": r.gonum, "fused": r.fused, "copy": r.copy, "dispatch": r.dispatch,
		"conv2d": r.conv2d, "attention": r.attention, "trainstep": r.trainstep, "sampling": r.sampling,
	}
	want := opt.Ops
	if len(want) == 0 {
		want = defaultOps
	}
	var rows []Row
	for _, op := range Ops {
		if !slices.Contains(want, op) {
			continue
		}
		got, err := groups[op]()
		if err != nil {
			return rows, fmt.Errorf("bench %s: %w", op, err)
		}
		rows = append(rows, got...)
	}
	return rows, nil
}

// repeatsFor bounds the repeats of a row whose single run takes one.
func (r *runner) repeatsFor(one time.Duration) int {
	n := r.opt.Repeats
	if one > 0 && time.Duration(n)*one > r.budget {
		n = max(int(r.budget/one), 3)
	}
	return n
}

// warmup runs f up to Warmup times (fewer when the runs are long) and
// returns the wall time of the last run.
func (r *runner) warmup(f func() error) (time.Duration, error) {
	var one, total time.Duration
	for i := 0; i < r.opt.Warmup && total < r.budget/4; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		one = time.Since(start)
		total += one
	}
	return one, nil
}

// wallTimes runs f to warm up, then repeats times, and returns the wall
// time of each repeat in milliseconds.
func (r *runner) wallTimes(f func() error) ([]float64, error) {
	one, err := r.warmup(f)
	if err != nil {
		return nil, err
	}
	n := r.repeatsFor(one)
	ms := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return nil, err
		}
		ms = append(ms, float64(time.Since(start))/1e6)
	}
	return ms, nil
}

// record records one sequence with rec; profile adds timestamps.
func (r *runner) record(profile bool, rec func(seq *vk.Sequence) error) (*vk.Sequence, error) {
	seq, err := r.dev.NewSequence(profile)
	if err != nil {
		return nil, err
	}
	if err := seq.Begin(); err != nil {
		seq.Destroy()
		return nil, err
	}
	if err := rec(seq); err != nil {
		seq.Destroy()
		return nil, err
	}
	if err := seq.End(); err != nil {
		seq.Destroy()
		return nil, err
	}
	return seq, nil
}

// row fills the timing fields of a row from times in milliseconds; flops and
// bytes (per run) give GFLOPS and GBps from the median.
func row(op, shape, variant, device string, ms []float64, flops, bytes float64) Row {
	s := slices.Clone(ms)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	out := Row{Op: op, Shape: shape, Variant: variant, Device: device, MedianMs: med, MinMs: s[0], MaxMs: s[len(s)-1]}
	if med > 0 {
		out.GFLOPS = flops / med / 1e6
		out.GBps = bytes / med / 1e6
	}
	return out
}

// buffer makes a device buffer of n random float32 values.
func (r *runner) buffer(n int) (*vk.Buffer, error) {
	b, err := r.dev.NewBufferF32(n)
	if err != nil {
		return nil, err
	}
	if err := b.Upload(r.randoms(n)); err != nil {
		b.Free()
		return nil, err
	}
	return b, nil
}

func (r *runner) randoms(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.rng.NormFloat64())
	}
	return v
}
