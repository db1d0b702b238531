package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/viewer/plot"
)

func init() {
	register("inpaint", "fill in the masked pixels of images with a checkpoint's score (score_sde's inpainting): --checkpoint R --data X.npy|DIR|test --mask left-half|centre-box|random:P|FILE --out OUT.npy", runInpaint)
}

// imageControlFlags are the flags of inpaint and colorize.
type imageControlFlags struct {
	checkpoint, data, mask, out, device string
	first, n, perImage                  int
	nGiven                              bool // --n given; else at most 8 images
	view                                bool
	seed                                *uint64
	sets                                setList
	sf                                  samplerFlags
}

func (f *imageControlFlags) register(fs *flag.FlagSet, inpaint bool) {
	fs.StringVar(&f.checkpoint, "checkpoint", "", "run directory (its latest checkpoint) or checkpoint file of an image model")
	fs.StringVar(&f.data, "data", "test", "images: a .npy file, a folder (of images, CIFAR-10 batches or IDX files), or test / train: that split of the checkpoint's data set")
	fs.IntVar(&f.first, "first", 0, "first image K of --data (0-based)")
	fs.IntVar(&f.n, "n", 8, "number of images N: images K .. K+N-1 (default 8, or as many as there are)")
	fs.IntVar(&f.perImage, "n-per-image", 1, "samples M of each image; the output is (N*M, C, H, W), image-major")
	fs.StringVar(&f.out, "out", "", "output .npy, float32 (N*M, C, H, W) in [0, 1]; the inputs, the "+map[bool]string{true: "mask", false: "grey levels"}[inpaint]+" and a PNG grid are written beside it")
	fs.StringVar(&f.device, "device", "", "Vulkan device index or name part (default the best), or "+sampling.ReferenceDevice+" for the pure-Go float64 reference")
	f.seed = fs.Uint64("seed", 0, "random seed (default the config's seed)")
	fs.Var(&f.sets, "set", "override a config key, section.key=value (repeatable)")
	fs.BoolVar(&f.view, "view", false, "show the sampling live in a window, one row per input: input | "+map[bool]string{true: "masked", false: "grey"}[inpaint]+" | results (viewer build; keys: space pause, S save PNG, R new seed, Esc quit)")
	if inpaint {
		fs.StringVar(&f.mask, "mask", "left-half", "known pixels (1 = known): left-half | centre-box | random:P | a .png (one for all) or .npy ((H, W) for all, (N, H, W) one per image)")
	}
	f.sf.register(fs)
}

func runInpaint(args []string, stdout io.Writer) error {
	return runImageControl("inpaint", args, stdout)
}

// runImageControl runs inpaint or colorize: everything is checked before
// the sampler starts, and nothing is written unless it succeeds.
func runImageControl(cmd string, args []string, stdout io.Writer) error {
	inpaint := cmd == "inpaint"
	fs := newFlags(cmd)
	var f imageControlFlags
	f.register(fs, inpaint)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := flagsSet(fs)
	f.sf.sets = f.sets
	f.nGiven = given["n"]
	if f.checkpoint == "" {
		return usagef("%s: --checkpoint of an image model is required", cmd)
	}
	if f.out == "" || !strings.HasSuffix(f.out, ".npy") {
		return usagef("--out: a .npy output file is required, got %q", f.out)
	}
	if err := checkOutPath("--out", f.out); err != nil {
		return err
	}
	c, src, err := loadScoreModel(cmd, "", "", f.checkpoint, f.sets)
	if err != nil {
		return err
	}
	job := sampling.ImageControl{C: c.Data.NumChannels, H: c.Data.ImageSize, W: c.Data.ImageSize, PerImage: f.perImage, Centered: c.Data.Centered}
	if job.Dim() != src.Dim || job.Dim() == 0 {
		return usagef("--checkpoint %s: not an image model (its data are %d-dimensional)", f.checkpoint, src.Dim)
	}
	if !inpaint && job.C != 3 {
		return usagef("colorize: %s's model takes %d-channel images; colourisation needs an RGB (3-channel) model", f.checkpoint, job.C)
	}
	method, err := f.sf.apply(c, given)
	if err != nil {
		return err
	}
	if !given["seed"] {
		*f.seed = c.Seed
	}
	if f.perImage < 1 {
		return usagef("--n-per-image: must be >= 1, got %d", f.perImage)
	}
	if job.Images, err = controlImages(f, c, job, !inpaint); err != nil {
		return err
	}
	if inpaint {
		if job.Mask, err = data.ParseMask(f.mask, data.MaskFor{First: f.first, N: job.N(), C: job.C, H: job.H, W: job.W, Seed: *f.seed}); err != nil {
			return usagef("--mask: %v", err)
		}
	}
	known, err := job.Constraint()
	if err != nil {
		return usagef("%s: %v", cmd, err)
	}
	r, err := f.sf.request(c, method, job.Samples(), job.Dim(), *f.seed, src, given)
	if err != nil {
		return err
	}
	r.Known = known
	backend := sampling.NewBackend(f.device)
	vs, err := openControlView(cmd, f, job, r)
	if err != nil {
		return err
	}
	if vs != nil {
		defer vs.close()
		backend = vs.backend(job.Samples(), job.Dim())
	}
	return vs.repeat(&r.Seed, func() error {
		start := time.Now()
		x, nfe, err := backend.Sample(cmdContext, r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Describe(), backendErr(err))
		}
		if bad := countNonFinite(x); bad > 0 {
			return fmt.Errorf("%s diverged: %d of %d values are NaN or Inf; nothing written", r.Describe(), bad, len(x))
		}
		fmt.Fprintf(stdout, "%s: %d images x %d samples (%dx%dx%d) with %s on %s (seed %d): NFE %d, wall time %.3f s\n",
			cmd, job.N(), f.perImage, job.C, job.H, job.W, r.Describe(), sampling.DeviceLabel(f.device), r.Seed, nfe, time.Since(start).Seconds())
		res := job.Finish(x)
		if err := writeImageControl(stdout, f.out, job, res); err != nil {
			return err
		}
		return vs.showResults(res, job.Centered)
	})
}

// controlImages reads --data and returns images K .. K+N-1 in [0, 1],
// checked against the model's image shape (grey images are colourised as
// RGB ones with equal channels).
func controlImages(f imageControlFlags, c *config.Config, job sampling.ImageControl, colorize bool) ([]float64, error) {
	im, err := dataImages(c, f.data)
	if err != nil {
		return nil, err
	}
	if colorize && im.C == 1 && job.C == 3 {
		im = greyToRGB(im) // colourising grey images: their level is the grey level
	}
	if im.C != job.C || im.H != job.H || im.W != job.W {
		return nil, usagef("--data %s: images of shape (C, H, W) = (%d, %d, %d), the model takes (%d, %d, %d)", f.data, im.C, im.H, im.W, job.C, job.H, job.W)
	}
	if f.first < 0 || f.first >= im.N {
		return nil, usagef("--first: %d is not an image of --data %s (0 .. %d)", f.first, f.data, im.N-1)
	}
	if !f.nGiven {
		f.n = min(f.n, im.N-f.first)
	}
	if f.n < 1 || f.first+f.n > im.N {
		return nil, usagef("--n: %d images from %d run past the %d of --data %s", f.n, f.first, im.N, f.data)
	}
	d := im.Dim()
	x := make([]float64, f.n*d)
	for i, v := range im.Pixels[f.first*d : (f.first+f.n)*d] {
		x[i] = float64(v) / 255
	}
	return x, nil
}

// greyToRGB repeats one-channel images' level in three channels.
func greyToRGB(im *data.Images) *data.Images {
	hw := im.H * im.W
	out := &data.Images{N: im.N, C: 3, H: im.H, W: im.W, Pixels: make([]uint8, 0, 3*len(im.Pixels)), Labels: im.Labels, Classes: im.Classes}
	for i := 0; i < im.N; i++ {
		img := im.Image(i)[:hw]
		out.Pixels = append(append(append(out.Pixels, img...), img...), img...)
	}
	return out
}

// writeImageControl writes the results to out, and beside it the inputs
// (OUT_inputs.npy), what the model was given (OUT_mask.npy: the mask, or
// OUT_grey.npy: the inputs' grey levels) and a grid of input | given |
// results, one row per input (OUT.png).
func writeImageControl(stdout io.Writer, out string, job sampling.ImageControl, res []float32) error {
	base := strings.TrimSuffix(out, ".npy")
	n, m, d := job.N(), job.PerImage, job.Dim()
	in := make([]float32, len(job.Images))
	for i, v := range job.Images {
		in[i] = float32(v)
	}
	given := job.Conditioning()
	files := []arrayFile{
		{out, []int{n * m, job.C, job.H, job.W}, res},
		{base + "_inputs.npy", []int{n, job.C, job.H, job.W}, in},
	}
	if job.Mask != nil {
		mask := make([]float32, len(job.Mask.Known))
		for i, k := range job.Mask.Known {
			if k {
				mask[i] = 1
			}
		}
		files = append(files, arrayFile{base + "_mask.npy", []int{len(mask) / (job.H * job.W), 1, job.H, job.W}, mask})
	} else {
		files = append(files, arrayFile{base + "_grey.npy", []int{n, job.C, job.H, job.W}, given})
	}
	for _, f := range files {
		if err := saveArray(f.path, f.shape, f.v); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s %v float32\n", f.path, f.shape)
	}
	grid := make([]float32, 0, n*(2+m)*d)
	for i := 0; i < n; i++ {
		grid = append(grid, in[i*d:(i+1)*d]...)
		grid = append(grid, given[i*d:(i+1)*d]...)
		grid = append(grid, res[i*m*d:(i+1)*m*d]...)
	}
	png := base + ".png"
	if err := plot.SaveGrid(png, grid, n*(2+m), plot.ImageShape{C: job.C, H: job.H, W: job.W}, 2+m, max(1, 64/job.H)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (rows: input | %s | %d result(s))\n", png, map[bool]string{true: "masked", false: "grey"}[job.Mask != nil], m)
	return nil
}

// arrayFile is a float32 .npy array to write.
type arrayFile struct {
	path  string
	shape []int
	v     []float32
}
