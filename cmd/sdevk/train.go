package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/quality"
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
	if o.view && c.IsClassifier() {
		return usagef("--view: a classifier run draws no samples to show; its accuracy is written to %s", o.out)
	}
	if c.IsImages() {
		if err := train.AddImages(&tc, c); err != nil {
			return usagef("%v", err)
		}
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
			title := "sdevk train: " + filepath.Base(o.config)
			if c.IsImages() {
				im, _ := sampling.ImagesOf(c)
				vs, err = openImageView(title, o.device, viewerImages(im))
			} else {
				vs, err = openView(title, o.device, ds)
			}
			if err != nil {
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
		var tooBig train.ErrDeviceMemory
		if tr, err = train.New(dev, tc); errors.As(err, &tooBig) {
			return usagef("%s: %v", o.config, err)
		} else if err != nil {
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
	if tc.Classifier != nil { // what eval, sample --classifier and model --classifier read
		meta[quality.MetaKey] = quality.ClassifierMeta(tc.Classifier.Net.Config())
	}
	if o.resume {
		path, err := train.Resume(tr, o.out)
		if err != nil {
			return usagef("--resume: %v", err)
		}
		fmt.Fprintf(cmdStderr, "sdevk: resuming %s at step %d\n", path, tr.Steps())
	}
	var view *trainView
	if vs != nil {
		view = &trainView{vs: vs, c: c, net: net, tr: tr, d: ds.Dim(), n: snapshotPoints}
		if c.IsImages() {
			view.n = min(snapshotImages, imageSamples(c))
		}
		if err := view.snapshot(); err != nil {
			return err
		}
	}
	loop := train.RunOptions{Dir: o.out, Meta: meta, Total: c.Training.NIters, Snapshot: c.Training.SnapshotFreq,
		Preempt: c.Training.SnapshotFreqForPreemption, OnSnapshot: snapshotGrid(backend, c, net, tr, o.out)}
	if ev, ok := tr.(interface{ EvalLoss(int) (float64, error) }); ok && tc.EvalImages != nil {
		loop.EvalFreq = c.Training.EvalFreq
		loop.Eval = func(k int) (float64, error) {
			l, err := ev.EvalLoss(k)
			if err == nil {
				fmt.Fprintf(cmdStderr, "sdevk: step %d: eval_loss %.5g\n", k*loop.EvalFreq, l)
			}
			return l, err
		}
	}
	if err := trainLoop(tr, loop, view, stdout); err != nil {
		return err
	}
	if cmdContext.Err() != nil {
		return interruptedError{"stopped after training; no samples drawn"}
	}
	if tc.Classifier != nil {
		return classifierAfterTraining(tr, c, tc.Classifier, ds, o.out, stdout)
	}
	n := c.SamplesAfterTraining()
	if o.samples >= 0 {
		n = o.samples
	}
	if o.noSample {
		n = 0
	}
	if c.IsImages() && !given["samples"] {
		n = min(n, imageSamples(c))
	}
	switch {
	case n > 0 && c.IsImages():
		return imagesAfterTraining(backend, c, net, tr, n, o.out, stdout)
	case n > 0:
		return sampleAfterTraining(backend, c, net, tr, ds, n, o.out, stdout)
	}
	return nil
}

// prepareRunDir creates the run directory; it refuses to start afresh in
// one that holds checkpoints, so no earlier run is overwritten.
func prepareRunDir(dir string, resume bool) error {
	if !resume && train.HasCheckpoints(dir) {
		return usagef("--out %s holds checkpoints of an earlier run: pass --resume to continue it, or choose another --out", dir)
	}
	return os.MkdirAll(dir, 0o755)
}

// resumable reports whether dir holds a checkpoint to resume from; --resume
// in a fresh directory starts afresh, and says so.
func resumable(dir string) bool {
	if !train.HasCheckpoints(dir) {
		fmt.Fprintf(cmdStderr, "sdevk: --resume: %s holds no checkpoint yet; starting a fresh run\n", dir)
		return false
	}
	return true
}

// trainLoop runs the training with progress on stderr (and the viewer),
// saving when a stop signal cancels cmdContext, then prints the summary and
// draws loss.png.
func trainLoop(tr train.Runner, o train.RunOptions, view *trainView, stdout io.Writer) error {
	dir, total := o.Dir, o.Total
	bar := newProgress(cmdStderr, tr.Steps(), total)
	var losses []float64
	o.OnStep = func(step int, loss float64) error {
		bar.update(step, loss)
		losses = append(losses, loss)
		return view.show(losses, step, total)
	}
	if o.OnSnapshot == nil {
		o.OnSnapshot = view.snapshot
	}
	res, err := train.Run(cmdContext, tr, o)
	var nan train.ErrNonFinite
	switch {
	case errors.As(err, &nan):
		return usagef("training diverged: the loss is %v at step %d; the last good checkpoint is kept in %s", nan.Loss, nan.Step, filepath.Join(dir, "checkpoints"))
	case errors.Is(err, vk.ErrDeviceLost), errors.Is(err, vk.ErrOutOfDeviceMemory), errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w; the last good checkpoint is kept in %s", err, filepath.Join(dir, "checkpoints"))
	case err != nil:
		return err
	case res.Interrupted:
		return interruptedError{fmt.Sprintf("interrupted at step %d; saved %s", tr.Steps(), res.Checkpoint)}
	}
	bar.finish()
	host, wait := tr.Times()
	perStep := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(max(res.Steps, 1)) }
	fmt.Fprintf(stdout, "trained %d steps in %v (%.1f steps/s, host %.0f us/step, data %.0f us/step); checkpoint %s\n",
		res.Steps, res.Elapsed.Round(time.Millisecond), float64(res.Steps)/res.Elapsed.Seconds(),
		perStep(host), perStep(wait), res.Checkpoint)
	return plotLoss(dir)
}

// plotLoss draws loss.png from the whole metrics.jsonl (earlier runs of a
// resumed training included).
func plotLoss(dir string) error {
	ms, err := train.ReadMetrics(dir)
	if err != nil {
		return err
	}
	steps, losses := make([]float64, len(ms)), make([]float64, len(ms))
	for i, m := range ms {
		steps[i], losses[i] = float64(m.Step), m.Loss
	}
	return saveLossPlot(filepath.Join(dir, "loss.png"), steps, losses)
}
