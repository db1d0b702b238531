package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/internal/atomicfile"
)

// A run directory holds checkpoints/ckpt-STEP.safetensors (checkpoint.Name)
// and metrics.jsonl, one Metric per step, appended to by resumed runs.
const MetricsFile = "metrics.jsonl"

// Metric is one line of metrics.jsonl.
type Metric struct {
	Step    int     `json:"step"`
	Loss    float64 `json:"loss"`
	Seconds float64 `json:"seconds"`
	// EvalLoss is the evaluation loss (score_sde's eval_loss) on the steps
	// that measure it.
	EvalLoss *float64 `json:"eval_loss,omitempty"`
}

// RunOptions configure Run.
type RunOptions struct {
	// Dir is the run directory; Meta goes into every checkpoint.
	Dir  string
	Meta map[string]string
	// Total is the step count to train to; a checkpoint is saved every
	// Snapshot steps (0: only at the end).
	Total, Snapshot int
	// Preempt, when > 0, also saves a checkpoint every Preempt steps
	// (score_sde's snapshot_freq_for_preemption) without OnSnapshot, so a
	// long run loses little when stopped; only the latest of these is kept,
	// and the next snapshot or the end replaces it.
	Preempt int
	// OnStep, when set, is called after every step (progress, a viewer).
	OnStep func(step int, loss float64) error
	// OnSnapshot, when set, is called after each intermediate checkpoint.
	OnSnapshot func() error
	// Eval, when set, gives the evaluation loss of batch k, measured every
	// EvalFreq steps (score_sde's eval_freq), at step k*EvalFreq.
	Eval     func(k int) (float64, error)
	EvalFreq int
}

// RunResult describes a finished (or interrupted) Run.
type RunResult struct {
	// Steps is the number of steps this Run took; Checkpoint the last saved.
	Steps      int
	Checkpoint string
	Elapsed    time.Duration
	// Interrupted is set when ctx was cancelled before Total.
	Interrupted bool
	// Losses are this Run's losses, in order.
	Losses []float64
}

// HasCheckpoints reports whether dir holds a checkpoint of an earlier run.
func HasCheckpoints(dir string) bool {
	ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "ckpt-*.safetensors"))
	return len(ckpts) > 0
}

// Resume restores tr from the latest checkpoint in dir and returns its path.
func Resume(tr Runner, dir string) (string, error) {
	path, err := checkpoint.Resolve(dir)
	if err != nil {
		return "", err
	}
	c, err := checkpoint.Load(path)
	if err != nil {
		return "", err
	}
	if err := tr.Restore(c); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return path, trimMetrics(dir, tr.Steps())
}

// trimMetrics drops the lines of metrics.jsonl past step: the steps a run
// took after its last checkpoint (it was stopped at once, or a step
// failed), which the resumed run takes again.
func trimMetrics(dir string, step int) error {
	ms, err := ReadMetrics(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	keep := 0
	for keep < len(ms) && ms[keep].Step <= step {
		keep++
	}
	if keep == len(ms) {
		return nil
	}
	return atomicfile.Write(filepath.Join(dir, MetricsFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, m := range ms[:keep] {
			if err := enc.Encode(m); err != nil {
				return err
			}
		}
		return nil
	})
}

// Save writes tr's checkpoint into dir and returns its path.
func Save(tr Runner, dir string, meta map[string]string) (string, error) {
	c, err := tr.Checkpoint(meta)
	if err != nil {
		return "", err
	}
	path := checkpoint.Name(dir, tr.Steps())
	return path, checkpoint.Save(path, c)
}

// Run trains tr to o.Total steps, appending to metrics.jsonl and saving a
// checkpoint every o.Snapshot steps, at the end, and when ctx is cancelled
// (after the step in progress: Interrupted, no error). A NaN or infinite
// loss stops it with ErrNonFinite, and a failed step (a lost device) with
// an error naming the step; neither saves anything, so the last checkpoint
// stays the last good state. Every checkpoint is written atomically and
// metrics.jsonl only ever holds whole lines.
func Run(ctx context.Context, tr Runner, o RunOptions) (res RunResult, err error) {
	mf, err := atomicfile.OpenAppend(filepath.Join(o.Dir, MetricsFile))
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := mf.Close(); err == nil {
			err = cerr
		}
	}()
	preempted := "" // the preemption checkpoint the next save replaces
	save := func(preempt bool) error {
		if err := mf.Sync(); err != nil {
			return err
		}
		path, err := Save(tr, o.Dir, o.Meta)
		if err != nil {
			return err
		}
		res.Checkpoint = path
		if preempted != "" && preempted != path {
			if err := os.Remove(preempted); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		preempted = ""
		if preempt {
			preempted = path
		}
		return nil
	}
	start, first := time.Now(), tr.Steps()
	defer func() { res.Steps, res.Elapsed = tr.Steps()-first, time.Since(start) }()
	for tr.Steps() < o.Total {
		if ctx.Err() != nil {
			res.Interrupted = true
			return res, save(false)
		}
		loss, err := tr.Next()
		if err != nil {
			var nan ErrNonFinite
			if errors.As(err, &nan) {
				return res, err
			}
			return res, fmt.Errorf("training step %d: %w", tr.Steps()+1, err)
		}
		res.Losses = append(res.Losses, loss)
		m := Metric{Step: tr.Steps(), Loss: loss, Seconds: time.Since(start).Seconds()}
		if o.Eval != nil && o.EvalFreq > 0 && m.Step%o.EvalFreq == 0 {
			ev, err := o.Eval(m.Step / o.EvalFreq)
			if err != nil {
				return res, fmt.Errorf("evaluation at step %d: %w", m.Step, err)
			}
			m.EvalLoss = &ev
		}
		line, err := json.Marshal(m)
		if err != nil {
			return res, err
		}
		if err := mf.WriteLine(append(line, '\n')); err != nil {
			return res, err
		}
		if o.OnStep != nil {
			if err := o.OnStep(tr.Steps(), loss); err != nil {
				return res, err
			}
		}
		switch step := tr.Steps(); {
		case step >= o.Total:
		case o.Snapshot > 0 && step%o.Snapshot == 0:
			if err := save(false); err != nil {
				return res, err
			}
			if o.OnSnapshot != nil {
				if err := o.OnSnapshot(); err != nil {
					return res, err
				}
			}
		case o.Preempt > 0 && step%o.Preempt == 0:
			if err := save(true); err != nil {
				return res, err
			}
		}
	}
	return res, save(false)
}

// ReadMetrics reads a run directory's metrics.jsonl (earlier runs of a
// resumed training included).
func ReadMetrics(dir string) ([]Metric, error) {
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []Metric
	dec := json.NewDecoder(f)
	for dec.More() {
		var m Metric
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("%s: %v", f.Name(), err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}
