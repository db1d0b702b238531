package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/viewer/plot"
)

// maxGridImages bounds the --png grid of an image run: the first ones.
const maxGridImages = 256

// imageOutputs are the files an image run writes.
type imageOutputs struct {
	npy  string // (N, C, H, W) float32 in [0, 1], with its sidecar
	grid string // a PNG grid of the first images
	dir  string // one PNG per sample, named by its index
}

// sampleImages draws the images of the runs (one, or one per class of a
// class list, whose layout is then described) in turn, batch by batch, maps
// them to [0, 1] and streams them to the outputs, so N images need never
// be in memory. A class list's grid has one row per class.
func sampleImages(stdout io.Writer, backend sampling.Backend, runs []sampling.Request, layout string, im sampling.Images, out imageOutputs, device string) error {
	if out.dir != "" {
		if err := os.MkdirAll(out.dir, 0o755); err != nil {
			return usagef("--png-dir: %v", err)
		}
	}
	shape := plot.ImageShape{C: im.C, H: im.H, W: im.W}
	o := runs[0]
	o.N *= len(runs)
	perRow := maxGridImages / len(runs)
	if len(runs) > 1 {
		perRow = min(runs[0].N, perRow)
	}
	start := time.Now()
	var grid []float32
	var nfe int
	done, bad := 0, 0
	var sampleErr, putErr error
	draw := func(put func([]float64) error) error {
		for _, run := range runs {
			rowStart := len(grid)
			var runNFE int
			runNFE, sampleErr = sampling.SampleTo(cmdContext, backend, run, func(batch []float64) error {
				if bad = countNonFinite(batch); bad > 0 {
					return errDiverged
				}
				im.ToUnit(batch)
				x := make([]float32, len(batch))
				for i, v := range batch {
					x[i] = float32(v)
				}
				if putErr = writeImages(out.dir, x, o.First+done, shape); putErr != nil {
					return putErr
				}
				if keep := min(len(x), rowStart+perRow*im.Dim()-len(grid)); out.grid != "" && keep > 0 {
					grid = append(grid, x[:keep]...)
				}
				done += len(batch) / im.Dim()
				putErr = put(batch)
				return putErr
			})
			nfe += runNFE
			if sampleErr != nil {
				return sampleErr
			}
		}
		return nil
	}
	err := data.SaveNPYStreamShape(out.npy, []int{o.N, im.C, im.H, im.W}, draw)
	wall := time.Since(start)
	switch {
	case errors.Is(sampleErr, errDiverged):
		return fmt.Errorf("%s diverged: %d values of a batch are NaN or Inf; nothing written (try a smaller --snr or more --steps)", o.Describe(), bad)
	case sampleErr != nil && putErr == nil:
		return fmt.Errorf("%s: %w", o.Describe(), backendErr(sampleErr))
	case err != nil:
		return err // writing an output: the file is named
	}
	if err := data.WriteShard(out.npy, layoutShard(o, []int{o.N, im.C, im.H, im.W}, &im, layout)); err != nil {
		return err
	}
	last := o.First + o.N - 1
	fmt.Fprintf(stdout, "sampled %d images (%dx%dx%d, %s) with %s on %s (seed %d, samples %d..%d)\n", o.N, im.C, im.H, im.W, o.Score.Name, o.Describe(), sampling.DeviceLabel(device), o.Seed, o.First, last)
	if layout != "" {
		fmt.Fprintf(stdout, "%s; the grid has one row per class\n", layout)
	}
	fmt.Fprintf(stdout, "NFE %d, wall time %.3f s\n", nfe, wall.Seconds())
	fmt.Fprintf(stdout, "wrote %s (%d, %d, %d, %d) float32 in [0, 1], and %s\n", out.npy, o.N, im.C, im.H, im.W, data.SidecarPath(out.npy))
	if out.dir != "" {
		fmt.Fprintf(stdout, "wrote %d PNGs to %s (%s .. %s)\n", o.N, out.dir, imageName(o.First), imageName(last))
	}
	if out.grid != "" {
		n := len(grid) / im.Dim()
		zoom := max(1, 64/max(im.H, im.W)) // small images (MNIST's 28) drawn at least 64 pixels wide
		cols := 0
		if len(runs) > 1 {
			cols = perRow
		}
		if err := plot.SaveGrid(out.grid, grid, n, shape, cols, zoom); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (the first %d images)\n", out.grid, n)
	}
	return nil
}

// writeImages writes each image of x into dir as imageName(first + i);
// nothing when dir is "".
func writeImages(dir string, x []float32, first int, s plot.ImageShape) error {
	if dir == "" {
		return nil
	}
	for i := 0; i < len(x)/s.Dim(); i++ {
		if err := plot.SaveImage(filepath.Join(dir, imageName(first+i)), x[i*s.Dim():(i+1)*s.Dim()], s); err != nil {
			return err
		}
	}
	return nil
}

// imageName is the PNG name of sample i: its index, zero-padded to six
// digits so a folder lists in index order.
func imageName(i int) string { return fmt.Sprintf("%06d.png", i) }
