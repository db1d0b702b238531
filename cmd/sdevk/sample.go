package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/sampling"
)

func init() {
	register("sample", "draw samples with a score (--score oracle, or a checkpoint): PC, Euler-Maruyama, ODE, annealed or plain Langevin; an image model's as (N, C, H, W) in [0, 1] with PNGs; --first K for a shard of a run", runSample)
}

// samplerFlags are the sampler flags shared by sample and plot score.
type samplerFlags struct {
	sampler, predictor, corrector string
	snr, rtol, atol, stepSize     float64
	steps                         int
	sets                          []string // the --set overrides, to see which keys they give
	fast                          fastFlags
}

func langevinFamily(method string) bool { return sampling.Method(method).LangevinFamily() }

// setsKey reports whether the --set overrides give key.
func setsKey(sets []string, key string) bool {
	for _, o := range sets {
		if k, _, ok := strings.Cut(o, "="); ok && strings.TrimSpace(k) == key {
			return true
		}
	}
	return false
}

func (f *samplerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.sampler, "sampler", "", "pc | em | ode | ald | langevin | ddim | dpmpp2m | dpmpp3s | dpm | unipc | euler | heun | edm-sde | adaptive (default sampling.method)")
	fs.StringVar(&f.predictor, "predictor", "", "pc predictor: euler_maruyama | reverse_diffusion | ancestral | none (default sampling.predictor)")
	fs.StringVar(&f.corrector, "corrector", "", "pc corrector: langevin | ald | none (default sampling.corrector)")
	fs.Float64Var(&f.snr, "snr", 0, "corrector signal-to-noise ratio (default sampling.snr)")
	fs.IntVar(&f.steps, "steps", 0, "discretisation steps N of pc / em / ode euler|heun (sampling.n_steps); Langevin steps per level for ald (sampling.n_steps_each); total steps for langevin")
	fs.Float64Var(&f.rtol, "rtol", 0, "relative tolerance of ode rk45 (default sampling.rtol) and of adaptive (default sampling.adaptive_rtol)")
	fs.Float64Var(&f.atol, "atol", 0, "absolute tolerance of ode rk45 (default sampling.atol) and of adaptive (default sampling.adaptive_atol)")
	fs.Float64Var(&f.stepSize, "step-size", 0, "Langevin step: ald's eps (alpha_i = eps sigma_i^2 / sigma_L^2), langevin's step a (default sampling.step_lr)")
	f.fast.register(fs)
}

// apply puts the flags given on the command line into c, with errors that
// name the flag. It returns the sampler method.
func (f *samplerFlags) apply(c *config.Config, given map[string]bool) (sampling.Method, error) {
	method := c.Sampling.Method
	if given["sampler"] {
		method = f.sampler
		if _, err := sampling.ParseMethod(method); err != nil {
			return "", usagef("--sampler: %v", err)
		}
	}
	// sampling.n_steps_each means corrector steps per time step for pc but
	// Langevin steps per noise level for ald / langevin: switching between
	// the two families takes the other family's default (score_sde's 1,
	// NCSN's 100) unless --set gives the key.
	if langevinFamily(method) != langevinFamily(c.Sampling.Method) && !setsKey(f.sets, "sampling.n_steps_each") {
		c.Sampling.NStepsEach = 1
		if langevinFamily(method) {
			c.Sampling.NStepsEach = 100
		}
	}
	c.Sampling.Method = method
	only := func(flag string, ok bool, what string) error {
		if given[flag] && !ok {
			return usagef("--%s: only used by %s (sampler is %s)", flag, what, method)
		}
		return nil
	}
	if err := only("predictor", method == "pc", "the pc sampler; add --sampler pc"); err != nil {
		return "", err
	}
	if err := only("corrector", method == "pc", "the pc sampler; add --sampler pc"); err != nil {
		return "", err
	}
	if given["predictor"] {
		p, err := sde.ParsePredictor(f.predictor)
		if err != nil || f.predictor == "" {
			return "", usagef("--predictor: unknown predictor %q (want euler_maruyama | reverse_diffusion | ancestral | none)", f.predictor)
		}
		if p == sde.AncestralSampling && c.SDE.Kind == "subvp" {
			return "", usagef("--predictor ancestral: defined for ve and vp only, not sde.kind = \"subvp\" (%s)", c.File)
		}
		c.Sampling.Predictor = p.String()
	}
	if given["corrector"] {
		cr, err := sde.ParseCorrector(f.corrector)
		if err != nil || f.corrector == "" {
			return "", usagef("--corrector: unknown corrector %q (want langevin | ald | none)", f.corrector)
		}
		c.Sampling.Corrector = cr.String()
	}
	if err := f.snrImpliesCorrector(c, method, given); err != nil {
		return "", err
	}
	if method == "pc" && c.Sampling.Predictor == "none" && c.Sampling.Corrector == "none" {
		return "", usagef("--sampler pc: predictor and corrector are both none, nothing would move")
	}
	if given["snr"] {
		if !(f.snr > 0) || math.IsInf(f.snr, 0) {
			return "", usagef("--snr: must be > 0, got %g", f.snr)
		}
		c.Sampling.SNR = f.snr
	}
	rk45 := method == "ode" && (c.Sampling.ODESolver == "rk45" || c.Sampling.ODESolver == "dopri5")
	tolUser := "the ode and adaptive samplers; add --sampler ode"
	rtol, atol := &c.Sampling.RTol, &c.Sampling.ATol
	if method == "adaptive" {
		rtol, atol = &c.Sampling.AdaptiveRTol, &c.Sampling.AdaptiveATol
	}
	if method == "ode" {
		tolUser = fmt.Sprintf("the rk45 ODE solver (sampling.ode_solver is %q); add --set sampling.ode_solver=rk45", c.Sampling.ODESolver)
	}
	for _, tol := range []struct {
		name string
		v    float64
		dst  *float64
	}{{"rtol", f.rtol, rtol}, {"atol", f.atol, atol}} {
		if err := only(tol.name, rk45 || method == "adaptive", tolUser); err != nil {
			return "", err
		}
		if given[tol.name] {
			if !(tol.v > 0) || math.IsInf(tol.v, 0) {
				return "", usagef("--%s: must be > 0, got %g", tol.name, tol.v)
			}
			*tol.dst = tol.v
		}
	}
	if err := only("step-size", method == "ald" || method == "langevin", "the Langevin samplers; add --sampler ald or --sampler langevin"); err != nil {
		return "", err
	}
	if given["step-size"] {
		if !(f.stepSize > 0) || math.IsInf(f.stepSize, 0) {
			return "", usagef("--step-size: must be > 0, got %g", f.stepSize)
		}
		c.Sampling.StepLR = f.stepSize
	}
	if given["steps"] {
		if rk45 {
			return "", usagef("--steps: the adaptive rk45 ODE solver picks its own steps (set sampling.ode_solver = \"euler\" or \"heun\" for fixed steps)")
		}
		if method == "adaptive" {
			return "", usagef("--steps: the adaptive sampler picks its own steps (set --rtol / --atol)")
		}
		lo := 1
		if method == "pc" || method == "em" || method == "euler" || method == "heun" || method == "edm-sde" {
			lo = 2
		}
		if f.steps < lo {
			return "", usagef("--steps: must be >= %d, got %d", lo, f.steps)
		}
		_, notFast := sde.ParseFastMethod(method)
		switch {
		case method == "ald":
			c.Sampling.NStepsEach = f.steps
		case method == "langevin":
		case notFast == nil:
			c.Sampling.FastSteps = f.steps
		default:
			c.Sampling.NSteps = f.steps
		}
	}
	if err := f.fast.apply(c, method, given); err != nil {
		return "", err
	}
	if err := c.Validate(); err != nil {
		return "", usagef("%v", err)
	}
	return sampling.ParseMethod(method)
}

// snrImpliesCorrector makes --snr take effect: it sets the pc corrector's
// signal-to-noise ratio, so a pc run whose corrector is none (the default of
// vp and subvp configs) gets the Langevin corrector, with a note. Where it
// cannot take effect, the error names the flag to change.
func (f *samplerFlags) snrImpliesCorrector(c *config.Config, method string, given map[string]bool) error {
	switch {
	case !given["snr"]:
		return nil
	case method != "pc":
		return usagef("--snr: only used by the pc sampler's corrector (sampler is %s); add --sampler pc", method)
	case c.Sampling.Corrector != "none":
		return nil
	case given["corrector"], setsKey(f.sets, "sampling.corrector"):
		return usagef("--snr: only used by a corrector, and the corrector is none on the command line; drop --snr or give --corrector langevin or ald")
	}
	c.Sampling.Corrector = sde.LangevinCorrector.String()
	fmt.Fprintf(cmdStderr, "sdevk: note: --snr implies --corrector langevin (%s has sampling.corrector = \"none\")\n", c.File)
	return nil
}

// request builds the sampling request of the (flag-adjusted) config; a
// --steps given to plain Langevin is its total step count.
func (f *samplerFlags) request(c *config.Config, method sampling.Method, n, d int, seed uint64, src sampling.ScoreModel, given map[string]bool) (sampling.Request, error) {
	r, err := sampling.NewRequest(c, method, n, d, seed, src)
	if err != nil {
		return r, usagef("%v", err)
	}
	if method == sampling.Langevin && given["steps"] {
		r.Langevin.Steps = f.steps
	}
	return r, nil
}

func runSample(args []string, stdout io.Writer) error {
	fs := newFlags("sample")
	cfgPath := fs.String("config", "", "TOML config (see configs/)")
	var sets setList
	fs.Var(&sets, "set", "override a config key, section.key=value (repeatable)")
	score := fs.String("score", "", "score to sample with: oracle (the exact score of the config's Gaussian mixture)")
	checkpoint := fs.String("checkpoint", "", "run directory (its latest checkpoint) or checkpoint file of sdevk train")
	var sf samplerFlags
	sf.register(fs)
	var cf controlFlags
	cf.register(fs)
	n := fs.Int("n", 0, "number of samples (default sampling.n_samples)")
	first := fs.Int("first", 0, "index of the first sample: --first K --n N makes samples K..K+N-1 of the run of this seed (a shard; see sdevk merge)")
	batch := fs.Int("batch", 0, "samples per device batch (default: as many as fit the device); the samples do not depend on it")
	seed := fs.Uint64("seed", 0, "random seed (default the config's seed)")
	out := fs.String("out", "samples.npy", "output .npy file, float32: (N, D) for points, (N, C, H, W) in [0, 1] for images; its sidecar OUT.json names the run")
	png := fs.String("png", "", "also write a PNG: 2-D samples over the true density, or a grid of the first images")
	pngDir := fs.String("png-dir", "", "images: also write one PNG per sample into this folder, named by the sample's index (000123.png), as FID tools read them")
	view := fs.Bool("view", false, "show the sampling live in a window (viewer build; keys: space pause, S save PNG, R new seed, Esc quit)")
	device := fs.String("device", "", "Vulkan device index or name part (default the best), or "+sampling.ReferenceDevice+" for the pure-Go float64 reference")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
	sf.sets = sets
	c, src, err := loadScoreModel("sample", *cfgPath, *score, *checkpoint, sets)
	if err != nil {
		return err
	}
	im, isImage := sampling.ImagesOf(c)
	var imOf *sampling.Images
	if isImage && src.IsNet() {
		imOf = &im
	}
	runs, err := cf.apply(src, c.SDE, imOf, given)
	if err != nil {
		return err
	}
	src = runs.models[0]
	method, err := sf.apply(c, given)
	if err != nil {
		return err
	}
	count := c.Sampling.NSamples
	if given["n"] {
		if *n < 1 {
			return usagef("--n: must be >= 1, got %d", *n)
		}
		count = *n
	}
	if !given["seed"] {
		*seed = c.Seed
	}
	if *first < 0 {
		return usagef("--first: must be >= 0, got %d", *first)
	}
	if *out == "" && !*view {
		return usagef("--out: an output file is required")
	}
	if err := checkOutPath("--out", *out); err != nil {
		return err
	}
	if err := checkOutPath("--png", *png); err != nil {
		return err
	}
	backend, err := sampleBackend(*device, *batch, given)
	if err != nil {
		return err
	}
	if imOf != nil {
		o, err := sf.request(c, method, count, im.Dim(), *seed, src, given)
		if err != nil {
			return err
		}
		o.First = *first
		if err := cf.inpaint(&o, given); err != nil {
			return err
		}
		outs := imageOutputs{npy: *out, grid: *png, dir: *pngDir}
		if !*view {
			return sampleImages(stdout, backend, runs.requests(o), runs.layout(o.N), im, outs, *device)
		}
		if len(runs.requests(o)) > 1 {
			return usagef("--view: shows one run; give one --class")
		}
		if *device == sampling.ReferenceDevice || given["batch"] {
			return usagef("--view: the viewer draws the whole run as one batch on a Vulkan device (drop --batch and --device %s)", sampling.ReferenceDevice)
		}
		vs, err := openImageView("sdevk sample: "+c.File, *device, viewerImages(im))
		if err != nil {
			return err
		}
		defer vs.close()
		vs.frame.Label = o.Describe()
		backend = vs.backend(count, im.Dim())
		return vs.repeat(&o.Seed, func() error { // as for points: the outputs when the run ends, then R for a new seed
			return sampleImages(stdout, backend, []sampling.Request{o}, runs.layout(o.N), im, outs, *device)
		})
	}
	if given["png-dir"] {
		return usagef("--png-dir: one PNG per sample is for image models; %s's model is a point model", c.File)
	}
	ds, err := configDataset(c)
	if err != nil {
		return err
	}
	// A network knows its own dimension (a U-Net's C*H*W); the config's
	// data set is then only the exact reference for point data.
	d, pointData := ds.Dim(), true
	if src.IsNet() && src.Dim != d {
		d, pointData = src.Dim, false
	}
	if *png != "" && d != 2 {
		return usagef("--png: plots are for 2-D data; %s's data is %d-dimensional", c.File, d)
	}
	o, err := sf.request(c, method, count, d, *seed, src, given)
	if err != nil {
		return err
	}
	o.First = *first
	if err := cf.inpaint(&o, given); err != nil {
		return err
	}
	if pointData {
		printDoctor(c, ds, *seed)
	}

	var vs *viewSession
	if *view {
		if len(runs.models) > 1 {
			return usagef("--view: shows one run; give one --class")
		}
		if *device == sampling.ReferenceDevice {
			return usagef("--view: the viewer draws from a Vulkan device, not %s", sampling.ReferenceDevice)
		}
		if given["batch"] {
			return usagef("--batch: the viewer shows the whole run as one batch")
		}
		if vs, err = openView("sdevk sample: "+ds.Name(), *device, ds); err != nil {
			return err
		}
		defer vs.close()
		vs.frame.Label = o.Describe()
		backend = vs.backend(count, d)
	}
	// With the viewer, the outputs are written as soon as the run ends; the
	// window then holds the final frame, and R runs again with a new seed.
	return vs.repeat(&o.Seed, func() error {
		return sampleAndWrite(stdout, backend, runs.requests(o), runs.layout(o.N), ds, d, *device, *out, *png)
	})
}

// sampleAndWrite draws the samples of the runs (one, or one per class of a
// class list, class-major, whose layout is then described) and writes --out
// and --png. The .npy file is written batch by batch as the device backend
// produces them (through a temporary, renamed at the end), so any count
// fits in memory unless a plot needs all the points.
func sampleAndWrite(stdout io.Writer, backend sampling.Backend, runs []sampling.Request, layout string, ds data.Dataset, d int, device, out, png string) error {
	o := runs[0]
	o.N *= len(runs)
	count := o.N
	start := time.Now()
	var x []float64 // all the points, for the plot
	nfe, done, bad := 0, 0, 0
	var sampleErr, putErr error
	draw := func(put func([]float64) error) error {
		for _, run := range runs {
			runNFE, err := sampling.SampleTo(cmdContext, backend, run, func(batch []float64) error {
				done += len(batch)
				if bad = countNonFinite(batch); bad > 0 {
					return errDiverged
				}
				if png != "" {
					x = append(x, batch...)
				}
				if put != nil {
					putErr = put(batch)
				}
				return putErr
			})
			nfe += runNFE
			if sampleErr = err; err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if out != "" {
		err = data.SaveNPYStream(out, count, d, draw)
	} else {
		err = draw(nil)
	}
	wall := time.Since(start)
	switch {
	case errors.Is(sampleErr, errDiverged):
		return fmt.Errorf("%s diverged: %d of %d values are NaN or Inf; nothing written (try a smaller --snr or more --steps)", o.Describe(), bad, done)
	case sampleErr != nil && putErr == nil:
		return fmt.Errorf("%s: %w", o.Describe(), backendErr(sampleErr))
	case err != nil:
		return err // writing --out: the file is named
	}
	what := ds.Name()
	if d != ds.Dim() {
		what = o.Score.Name // a network of its own dimension
	}
	fmt.Fprintf(stdout, "sampled %d points (%d-D, %s) with %s on %s (seed %d)\n", count, d, what, o.Describe(), sampling.DeviceLabel(device), o.Seed)
	fmt.Fprintf(stdout, "NFE %d, wall time %.3f s\n", nfe, wall.Seconds())
	if layout != "" {
		fmt.Fprintln(stdout, layout)
	}
	if out == "" {
		return nil
	}
	if err := data.WriteShard(out, layoutShard(o, []int{count, d}, nil, layout)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d, %d) float32, samples %d..%d, and %s\n", out, count, d, o.First, o.First+count-1, data.SidecarPath(out))
	if png != "" {
		title := fmt.Sprintf("%s: %s, NFE %d", ds.Name(), o.Method, nfe)
		if err := samplesPNG(png, ds, x, title); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", png)
	}
	return nil
}

// sampleBackend is the backend of --device with at most --batch samples per
// batch.
func sampleBackend(device string, batch int, given map[string]bool) (sampling.Backend, error) {
	if !given["batch"] {
		return sampling.NewBackend(device), nil
	}
	if batch < 1 {
		return nil, usagef("--batch: must be >= 1, got %d", batch)
	}
	if device == sampling.ReferenceDevice {
		return nil, usagef("--batch: %s samples all points at once; --batch sizes a Vulkan device's batches", sampling.ReferenceDevice)
	}
	return &sampling.Device{Name: device, MaxBatch: batch}, nil
}

// errDiverged stops a sampling run whose batch holds NaN or Inf.
var errDiverged = errors.New("diverged")

func countNonFinite(x []float64) int {
	n := 0
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			n++
		}
	}
	return n
}
