package main

import (
	"image/color"
	"math"

	"github.com/sdevk/sdevk/viewer/plot"
)

// saveLossPlot draws the loss curve and its running mean over 1% of the run.
func saveLossPlot(path string, steps, losses []float64) error {
	if len(steps) == 0 {
		return nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range losses {
		lo, hi = math.Min(lo, l), math.Max(hi, l)
	}
	if hi == lo {
		hi = lo + 1
	}
	pad := 0.05 * (hi - lo)
	r := plot.Rect{XMin: steps[0], XMax: math.Max(steps[len(steps)-1], steps[0]+1), YMin: lo - pad, YMax: hi + pad}
	p := plot.NewPanel(2*panelPx, panelPx/2, r, "training loss")
	raw := make([]float64, 0, 2*len(steps))
	for i := range steps {
		raw = append(raw, steps[i], losses[i])
	}
	p.Polyline(raw, 1, color.NRGBA{160, 175, 200, 255})
	w := max(1, len(losses)/100)
	smooth := make([]float64, 0, 2*len(steps))
	sum := 0.0
	for i := range losses {
		sum += losses[i]
		if i >= w {
			sum -= losses[i-w]
		}
		if i >= w-1 {
			smooth = append(smooth, steps[i], sum/float64(w))
		}
	}
	p.Polyline(smooth, 2, sampleColor)
	p.Frame()
	return plot.SavePNG(path, p.Img)
}
