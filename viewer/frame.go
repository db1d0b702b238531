package viewer

import (
	"fmt"
	"math"
	"strings"

	"github.com/sdevk/sdevk/vk"
)

// Frame is one picture of the samples: a device buffer the renderer reads in
// place (it is never copied to the host) and the numbers shown over it.
type Frame struct {
	// Points holds N rows of D float32 values: points of a D-dimensional
	// distribution, or, with Image set, N images of shape (C, H, W).
	Points *vk.Buffer
	N, D   int

	// Axes are the two coordinates shown (x, y) when Projection is nil;
	// the zero value shows coordinates 0 and 1.
	Axes [2]int
	// Projection, when set, shows (x - Mean)·U and (x - Mean)·V instead:
	// PrincipalAxes computes the first two principal directions.
	Projection *Projection
	// Bounds is the data rectangle shown (widened to the frame's aspect
	// ratio); the zero value is [-4, 4] x [-4, 4].
	Bounds Bounds

	// Image, when set, draws the samples as a grid of images.
	Image *ImageShape

	// Status line: "t=0.532 step 120/1000 NFE 240" when Steps > 0.
	Time        float64
	Step, Steps int
	NFE         int
	// Label is an extra first line (the model, the sampler); Text replaces
	// the status line when set.
	Label, Text string
	// Loss, when it has two or more values, is drawn as a curve at the
	// bottom right (log scale when all are positive).
	Loss []float32
}

// Bounds is a rectangle in data coordinates.
type Bounds struct{ XMin, XMax, YMin, YMax float64 }

// DefaultBounds is the rectangle shown when Frame.Bounds is zero.
var DefaultBounds = Bounds{-4, 4, -4, 4}

func (b Bounds) valid() bool {
	return b.XMax > b.XMin && b.YMax > b.YMin && !math.IsInf(b.XMax-b.XMin, 0) && !math.IsInf(b.YMax-b.YMin, 0)
}

// fit widens b to the aspect ratio of a w x h frame, so that circles stay round.
func (b Bounds) fit(w, h int) Bounds {
	if !b.valid() {
		b = DefaultBounds
	}
	dx, dy := b.XMax-b.XMin, b.YMax-b.YMin
	want := float64(w) / float64(h)
	if dx/dy < want {
		cx, half := (b.XMin+b.XMax)/2, dy*want/2
		b.XMin, b.XMax = cx-half, cx+half
	} else {
		cy, half := (b.YMin+b.YMax)/2, dx/want/2
		b.YMin, b.YMax = cy-half, cy+half
	}
	return b
}

// Projection maps a D-dimensional point x to ((x-Mean)·U, (x-Mean)·V).
type Projection struct{ Mean, U, V []float32 }

// ImageShape describes samples that are images: D = C*H*W, C = 1 (grey) or
// 3 (RGB), values mapped from [Lo, Hi] to black..white (zero: [-1, 1]).
type ImageShape struct {
	C, H, W int
	Lo, Hi  float32
	// Cols, when set, is the number of images in each row of the grid (a
	// layout such as input | masked | results); 0 fits as many as the
	// frame takes.
	Cols int
}

func (f *Frame) check() error {
	if f.Points == nil {
		return fmt.Errorf("viewer: frame without points")
	}
	if f.N < 0 || f.D < 1 {
		return fmt.Errorf("viewer: frame of %d x %d values", f.N, f.D)
	}
	if need := uint64(f.N) * uint64(f.D) * 4; f.Points.Size() < need {
		return fmt.Errorf("viewer: points buffer holds %d bytes, %d x %d float32 need %d", f.Points.Size(), f.N, f.D, need)
	}
	if im := f.Image; im != nil {
		if im.C != 1 && im.C != 3 {
			return fmt.Errorf("viewer: images with %d channels (want 1 or 3)", im.C)
		}
		if im.C*im.H*im.W != f.D {
			return fmt.Errorf("viewer: images of %d x %d x %d do not have D = %d values", im.C, im.H, im.W, f.D)
		}
		return nil
	}
	if p := f.Projection; p != nil {
		if len(p.Mean) != f.D || len(p.U) != f.D || len(p.V) != f.D {
			return fmt.Errorf("viewer: projection of length %d, %d, %d for D = %d", len(p.Mean), len(p.U), len(p.V), f.D)
		}
		return nil
	}
	for _, a := range f.axes() {
		if a < 0 || a >= f.D {
			return fmt.Errorf("viewer: axis %d out of range for D = %d", a, f.D)
		}
	}
	return nil
}

// axes returns the coordinates shown: Axes, or 0 and 1 for the zero value.
func (f *Frame) axes() [2]int {
	if f.Axes == [2]int{} && f.D >= 2 {
		return [2]int{0, 1}
	}
	return f.Axes
}

// lines returns the overlay text lines.
func (f *Frame) lines() []string {
	var out []string
	if f.Label != "" {
		out = append(out, f.Label)
	}
	status := f.Text
	if status == "" && f.Steps > 0 {
		status = fmt.Sprintf("t=%.3f step %d/%d NFE %d", f.Time, f.Step, f.Steps, f.NFE)
	}
	if status == "" && len(f.Loss) > 0 {
		status = fmt.Sprintf("step %d", f.Step)
	}
	if len(f.Loss) > 0 {
		status += fmt.Sprintf("  loss %.4g", f.Loss[len(f.Loss)-1])
	}
	if s := strings.TrimSpace(status); s != "" {
		out = append(out, s)
	}
	if len(out) > maxLines {
		out = out[:maxLines]
	}
	return out
}
