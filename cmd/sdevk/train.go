package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/vk"
)

func init() {
	register("train", "train a score network on the device (progress, metrics, checkpoints, samples)", runTrain)
}

// trainOpts are the flags of sdevk train.
type trainOpts struct {
	config, out, device string
	sets                setList
	steps               int
	resume              bool
	seed                uint64
	seedSet             bool
	samples             int
	noSample            bool
	view                bool
}

func runTrain(args []string, stdout io.Writer) error {
	var o trainOpts
	fs := newFlags("train")
	fs.StringVar(&o.config, "config", "", "TOML config (see configs/)")
	fs.Var(&o.sets, "set", "override a config key: section.key=value (repeatable)")
	fs.StringVar(&o.out, "out", "", "run directory (default runs/CONFIG-NAME)")
	fs.IntVar(&o.steps, "steps", 0, "training steps (default training.n_iters)")
	fs.BoolVar(&o.resume, "resume", false, "continue from the run directory's last checkpoint")
	fs.Uint64Var(&o.seed, "seed", 0, "seed (default the config's)")
	fs.StringVar(&o.device, "device", "", "Vulkan device index or name part")
	fs.IntVar(&o.samples, "samples", -1, fmt.Sprintf("samples drawn with the EMA weights at the end (default sampling.n_samples, at most %d for runs under %d steps unless the key is given; 0: none)", config.ShortRunSamples, config.ShortRun))
	fs.BoolVar(&o.noSample, "no-sample", false, "draw no samples at the end (same as --samples 0)")
	fs.BoolVar(&o.view, "view", false, "show the loss and snapshot samples in a window (viewer build)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
	o.seedSet = given["seed"]
	if o.noSample && given["samples"] && o.samples != 0 {
		return usagef("--no-sample: conflicts with --samples %d (give one of them)", o.samples)
	}
	if given["samples"] && o.samples < 0 {
		return usagef("--samples: must be >= 0, got %d", o.samples)
	}
	c, err := loadConfig(o.config, o.sets)
	if err != nil {
		return err
	}
	if o.seedSet {
		c.Seed = o.seed
	}
	if o.steps > 0 {
		c.Training.NIters = o.steps
	}
	if o.out == "" {
		name := filepath.Base(o.config)
		o.out = filepath.Join("runs", name[:len(name)-len(filepath.Ext(name))])
	}
	o.resume = o.resume && resumable(o.out)
	if err := prepareRunDir(o.out, o.resume); err != nil {
		return err
	}
	ds, err := configDataset(c)
	if err != nil {
		return err
	}
	printDoctor(c, ds, c.Seed)
	tc, err := train.ConfigFrom(c, ds)
	if err != nil {
		return usagef("%v", err)
	}
	net := tc.Net
	var tr train.Runner
	var backend sampling.Backend
	var vs *viewSession
	switch {
	case o.device == sampling.ReferenceDevice:
		if o.view {
			return usagef("--view: the viewer draws from a Vulkan device, not %s", sampling.ReferenceDevice)
		}
		if tr, err = train.NewReference(tc); err != nil {
			return err
		}
		backend = sampling.Reference{}
	default:
		var dev *vk.Device
		if o.view {
			if vs, err = openView("sdevk train: "+filepath.Base(o.config), o.device, ds); err != nil {
				return err
			}
			defer vs.close()
			dev = vs.dev
		} else {
			if dev, err = vk.Open(vk.Options{Device: o.device}); errors.Is(err, vk.ErrNoSuchDevice) {
				return usagef("--device: %v", err)
			} else if err != nil {
				return err
			}
			defer dev.Close()
		}
		if tr, err = train.New(dev, tc); err != nil {
			return err
		}
		backend = &sampling.Device{Dev: dev}
	}
	defer tr.Close()
	configText, err := os.ReadFile(o.config)
	if err != nil {
		return err
	}
	sets, _ := json.Marshal([]string(o.sets))
	meta := map[string]string{"config": string(configText), "config_file": o.config, "sets": string(sets)}
	if o.resume {
		if err := resumeRun(tr, o.out); err != nil {
			return err
		}
	}
	r := &trainRun{tr: tr, dir: o.out, meta: meta, total: c.Training.NIters, snapshot: c.Training.SnapshotFreq, stdout: stdout}
	if vs != nil {
		r.view = &trainView{vs: vs, c: c, net: net, tr: tr, d: ds.Dim()}
		if err := r.view.snapshot(); err != nil {
			return err
		}
	}
	if err := r.loop(); err != nil {
		return err
	}
	n := c.SamplesAfterTraining()
	if o.samples >= 0 {
		n = o.samples
	}
	if o.noSample {
		n = 0
	}
	if n > 0 {
		return sampleAfterTraining(backend, c, net, tr, ds, n, o.out, stdout)
	}
	return nil
}

// prepareRunDir creates the run directory; it refuses to start afresh in
// one that holds checkpoints, so no earlier run is overwritten.
func prepareRunDir(dir string, resume bool) error {
	ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "ckpt-*.safetensors"))
	if !resume && len(ckpts) > 0 {
		return usagef("--out %s holds checkpoints of an earlier run: pass --resume to continue it, or choose another --out", dir)
	}
	return os.MkdirAll(dir, 0o755)
}

// resumable reports whether dir holds a checkpoint to resume from; --resume
// in a fresh directory starts afresh, and says so.
func resumable(dir string) bool {
	ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "ckpt-*.safetensors"))
	if len(ckpts) == 0 {
		fmt.Fprintf(cmdStderr, "sdevk: --resume: %s holds no checkpoint yet; starting a fresh run\n", dir)
		return false
	}
	return true
}

func resumeRun(tr train.Runner, dir string) error {
	path, err := checkpoint.Resolve(dir)
	if err != nil {
		return usagef("--resume: %v", err)
	}
	c, err := checkpoint.Load(path)
	if err != nil {
		return usagef("--resume: %v", err)
	}
	if err := tr.Restore(c); err != nil {
		return usagef("--resume %s: %v", path, err)
	}
	fmt.Fprintf(cmdStderr, "sdevk: resuming %s at step %d\n", path, tr.Steps())
	return nil
}

// trainRun is one invocation's loop state.
type trainRun struct {
	tr              train.Runner
	dir             string
	meta            map[string]string
	total, snapshot int
	stdout          io.Writer
	losses          []float64
	view            *trainView // nil without --view
}

// metric is one line of metrics.jsonl.
type metric struct {
	Step    int     `json:"step"`
	Loss    float64 `json:"loss"`
	Seconds float64 `json:"seconds"`
}

func (r *trainRun) save() error {
	c, err := r.tr.Checkpoint(r.meta)
	if err != nil {
		return err
	}
	return checkpoint.Save(checkpoint.Name(r.dir, r.tr.Steps()), c)
}

// loop trains to the total step count, saving every snapshot steps, at the
// end and on Ctrl-C. A NaN or infinite loss stops it without saving, so the
// last checkpoint stays the last good state.
func (r *trainRun) loop() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	mf, err := os.OpenFile(filepath.Join(r.dir, "metrics.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer mf.Close()
	enc := json.NewEncoder(mf)
	start, first := time.Now(), r.tr.Steps()
	bar := newProgress(cmdStderr, first, r.total)
	for r.tr.Steps() < r.total {
		if ctx.Err() != nil {
			if err := r.save(); err != nil {
				return err
			}
			fmt.Fprintf(cmdStderr, "\nsdevk: interrupted at step %d; saved %s\n", r.tr.Steps(), checkpoint.Name(r.dir, r.tr.Steps()))
			return nil
		}
		loss, err := r.tr.Next()
		var nan train.ErrNonFinite
		if errors.As(err, &nan) {
			return usagef("training diverged: the loss is %v at step %d; the last good checkpoint is kept in %s", nan.Loss, nan.Step, filepath.Join(r.dir, "checkpoints"))
		}
		if err != nil {
			return err
		}
		r.losses = append(r.losses, loss)
		if err := enc.Encode(metric{Step: r.tr.Steps(), Loss: loss, Seconds: time.Since(start).Seconds()}); err != nil {
			return err
		}
		bar.update(r.tr.Steps(), loss)
		if r.snapshot > 0 && r.tr.Steps()%r.snapshot == 0 && r.tr.Steps() < r.total {
			if err := r.save(); err != nil {
				return err
			}
			if err := r.view.snapshot(); err != nil {
				return err
			}
		}
		if err := r.view.show(r.losses, r.tr.Steps(), r.total); err != nil {
			return err
		}
	}
	bar.finish()
	if err := r.save(); err != nil {
		return err
	}
	steps := r.tr.Steps() - first
	host, _ := r.tr.Times()
	el := time.Since(start)
	fmt.Fprintf(r.stdout, "trained %d steps in %v (%.1f steps/s, host %.0f us/step); checkpoint %s\n",
		steps, el.Round(time.Millisecond), float64(steps)/el.Seconds(),
		float64(host.Microseconds())/float64(max(steps, 1)), checkpoint.Name(r.dir, r.tr.Steps()))
	return r.plotLoss()
}

// plotLoss draws loss.png from the whole metrics.jsonl (earlier runs of a
// resumed training included).
func (r *trainRun) plotLoss() error {
	f, err := os.Open(filepath.Join(r.dir, "metrics.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	var steps, losses []float64
	dec := json.NewDecoder(f)
	for dec.More() {
		var m metric
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("%s: %v", f.Name(), err)
		}
		steps, losses = append(steps, float64(m.Step)), append(losses, m.Loss)
	}
	return saveLossPlot(filepath.Join(r.dir, "loss.png"), steps, losses)
}
