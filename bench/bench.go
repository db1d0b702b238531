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
	// Ref names the row of the same run this one is compared with, and
	// VsRef is this row's throughput over the reference's: GB/s when both
	// count bytes, else GFLOP/s, else the inverse ratio of median times
	// (above 1: faster than the reference).
	Ref   string  `json:"ref,omitempty"`
	VsRef float64 `json:"vs_ref,omitempty"`
	// Note explains what a row measures when the columns do not.
	Note string `json:"note,omitempty"`
}

// Options selects what Run measures.
type Options struct {
	// Ops names the groups to run (see Ops). Empty runs the first five.
	Ops []string
	// Quick runs SGEMM at 256 and 512 only, smaller conv2d, attention and
	// sampling runs, the device's conv2d variant only, and fewer repeats.
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
// run (no Ops) measures the first five, the core shader micro-benchmarks;
// the other kernel groups and the model-level groups run when named.
var Ops = []string{"sgemm", "gonum", "fused", "copy", "dispatch", "elementwise", "conv2d", "attention", "trainstep", "sampling", "unet", "unet-cifar10", "mlp-eval", "oracle16"}

// defaultOps are measured when Options.Ops is empty.
var defaultOps = Ops[:5]

type runner struct {
	dev    *vk.Device
	lib    *kernels.Lib
	opt    Options
	budget time.Duration // rough time limit per row
	rng    *rand.Rand
}

// Run measures the selected groups on dev and returns their rows. A row's
// reference (Row.Ref) is measured in the same run, once, before the first
// row that needs it.
func Run(dev *vk.Device, opt Options) ([]Row, error) {
	for _, op := range opt.Ops {
		if !slices.Contains(Ops, op) {
			return nil, fmt.Errorf("bench: unknown op %q (known: %s)", op, strings.Join(Ops, ", "))
		}
	}
	r := newRunner(dev, opt)
	models := map[string]func() ([]Row, error){"trainstep": r.trainstep, "sampling": r.sampling, "unet": r.unet, "unet-cifar10": r.unetCIFAR10, "mlp-eval": r.mlpEval, "oracle16": r.oracle16}
	want := opt.Ops
	if len(want) == 0 {
		want = defaultOps
	}
	var rows []Row
	done := map[string]Row{}
	for _, op := range Ops {
		if !slices.Contains(want, op) {
			continue
		}
		var got []Row
		var err error
		if f, ok := models[op]; ok {
			got, err = f()
		} else {
			got, err = r.measureAll(r.cases(op), done)
		}
		rows = append(rows, got...)
		if err != nil {
			return rows, fmt.Errorf("bench %s: %w", op, err)
		}
	}
	return rows, nil
}

// Cases returns the kernel cases of group (any of Ops but the model groups
// "trainstep", "sampling" and "unet") on dev, for harnesses other than Run (`go test -bench`
// through benchtest). Only opt.Quick matters.
func Cases(dev *vk.Device, group string, opt Options) ([]*Case, error) {
	if !slices.Contains(Ops, group) || group == "trainstep" || group == "sampling" || group == "unet" || group == "unet-cifar10" || group == "mlp-eval" || group == "oracle16" {
		return nil, fmt.Errorf("bench: %q is not a kernel group", group)
	}
	return newRunner(dev, opt).cases(group), nil
}

func newRunner(dev *vk.Device, opt Options) *runner {
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
	return r
}

// cases returns the cases of a kernel group.
func (r *runner) cases(group string) []*Case {
	switch group {
	case "sgemm":
		return r.sgemmCases()
	case "gonum":
		return r.gonumCases()
	case "fused":
		return []*Case{r.fusedCase()}
	case "copy":
		return []*Case{r.copyCase()}
	case "dispatch":
		return r.dispatchCases()
	case "elementwise":
		return r.elementwiseCases()
	case "conv2d":
		return r.conv2dCases()
	case "attention":
		return r.attentionCases()
	}
	panic("bench: no cases for group " + group) // Run and Cases check the name
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

// randomBuffers makes device buffers of the given lengths filled with
// random normal values (none left allocated on error).
func (r *runner) randomBuffers(lens ...int) ([]*vk.Buffer, error) {
	bufs := make([]*vk.Buffer, 0, len(lens))
	for _, n := range lens {
		b, err := r.dev.NewBufferF32(n)
		if err == nil {
			err = b.Upload(r.randoms(n))
			if err != nil {
				b.Free()
			}
		}
		if err != nil {
			freeAll(bufs)
			return nil, err
		}
		bufs = append(bufs, b)
	}
	return bufs, nil
}

// filledBuffers makes device buffers of the given lengths, buffer i set to
// (i+1)/2 on the device: faster than random uploads for the 64 MiB streams,
// and free of denormals and NaNs.
func (r *runner) filledBuffers(lens ...int) ([]*vk.Buffer, error) {
	bufs := make([]*vk.Buffer, 0, len(lens))
	for _, n := range lens {
		b, err := r.dev.NewBufferF32(n)
		if err != nil {
			freeAll(bufs)
			return nil, err
		}
		bufs = append(bufs, b)
	}
	seq, err := r.record(false, func(seq *vk.Sequence) error {
		for i, b := range bufs {
			if err := r.lib.Fill(seq, b, b.Len(), float32(i+1)*0.5); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = seq.Submit()
		seq.Destroy()
	}
	if err != nil {
		freeAll(bufs)
		return nil, err
	}
	return bufs, nil
}

func freeAll(bufs []*vk.Buffer) {
	for _, b := range bufs {
		b.Free()
	}
}

func (r *runner) randoms(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.rng.NormFloat64())
	}
	return v
}
