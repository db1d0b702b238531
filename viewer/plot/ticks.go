package plot

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"
)

// Ticks returns "nice" tick positions (1, 2, 5 times a power of ten) in
// [lo, hi], about n of them.
func Ticks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 {
		return nil
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, best := mag, math.Inf(1)
	for _, m := range []float64{1, 2, 5, 10} {
		if d := math.Abs(math.Log(m * mag / raw)); d < best {
			step, best = m*mag, d
		}
	}
	var out []float64
	for t := math.Ceil(lo/step) * step; t <= hi+step*1e-9; t += step {
		if math.Abs(t) < step*1e-9 {
			t = 0
		}
		out = append(out, t)
	}
	return out
}

// niceTicker labels about six Ticks per axis, every one of them (gonum's
// default labels few of its ticks, at steps such as 900).
type niceTicker struct{}

func (niceTicker) Ticks(lo, hi float64) []gplot.Tick {
	var out []gplot.Tick
	for _, t := range Ticks(lo, hi, 6) {
		s := fmt.Sprintf("%.4g", t)
		if s == "-0" {
			s = "0"
		}
		out = append(out, gplot.Tick{Value: t, Label: s})
	}
	return out
}
