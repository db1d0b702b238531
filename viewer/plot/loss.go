package plot

import (
	"fmt"
	"image/color"
	"math"
)

// Loss colours: the raw curve light, its running mean strong.
var (
	lossRawColor  = color.NRGBA{160, 175, 200, 255}
	lossMeanColor = color.NRGBA{200, 55, 25, 255}
)

// Loss draws a training-loss curve on a panel with a plot area of about
// w x h pixels: the loss per logged step and its running mean over 1% of
// the points, with a legend, the axes labelled step and loss. It returns
// the rendered panel (Img is ready to save); no points give an empty
// framed panel.
func Loss(w, h int, steps, losses []float64) *Panel {
	n := min(len(steps), len(losses))
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range losses[:n] {
		if !math.IsNaN(l) && !math.IsInf(l, 0) {
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	pad := 0.05 * (hi - lo)
	r := Rect{XMin: 0, XMax: 1, YMin: lo - pad, YMax: hi + pad}
	if n > 0 {
		r.XMin, r.XMax = steps[0], math.Max(steps[n-1], steps[0]+1)
	}
	p := NewPanel(w, h, r, "training loss")
	p.XLabel, p.YLabel = "step", "loss"
	raw := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		raw = append(raw, steps[i], losses[i])
	}
	p.Series("loss", raw, 1, lossRawColor)
	win := max(1, n/100)
	mean := make([]float64, 0, 2*n)
	sum := 0.0
	for i := 0; i < n; i++ {
		sum += losses[i]
		if i >= win {
			sum -= losses[i-win]
		}
		if i >= win-1 {
			mean = append(mean, steps[i], sum/float64(win))
		}
	}
	p.Series(fmt.Sprintf("running mean of %d", win), mean, 2, lossMeanColor)
	p.Frame()
	return p
}
