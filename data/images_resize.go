package data

import "math"

// Resizing is by area averaging: each output pixel is the mean of the
// source area it covers, partly covered source pixels weighted by the
// covered fraction. Downscaling (the usual case: CelebA's 140x140 crop to
// 64 or 32) then has no aliasing, as with score_sde's antialiased resize;
// upscaling repeats pixels, with edges blended. The filter is separable, so
// rows are resized first and columns second.

// plane is one channel of an image, row-major, in float64 levels 0..255.
type plane struct {
	h, w int
	v    []float64
}

// crop returns the (h, w) window whose top-left corner is (y, x).
func (p plane) crop(y, x, h, w int) plane {
	out := plane{h, w, make([]float64, h*w)}
	for r := range h {
		copy(out.v[r*w:(r+1)*w], p.v[(y+r)*p.w+x:])
	}
	return out
}

// centreCrop returns the central (h, w) window, offsets rounded down as
// score_sde's central_crop does.
func (p plane) centreCrop(h, w int) plane {
	return p.crop((p.h-h)/2, (p.w-w)/2, h, w)
}

// resize returns p resized to (h, w) by area averaging.
func (p plane) resize(h, w int) plane {
	if h == p.h && w == p.w {
		return p
	}
	rows := plane{p.h, w, make([]float64, p.h*w)}
	wx := areaWeights(p.w, w)
	for y := range p.h {
		src := p.v[y*p.w : (y+1)*p.w]
		for x, ws := range wx {
			rows.v[y*w+x] = ws.apply(func(i int) float64 { return src[i] })
		}
	}
	out := plane{h, w, make([]float64, h*w)}
	wy := areaWeights(p.h, h)
	for y, ws := range wy {
		for x := range w {
			out.v[y*w+x] = ws.apply(func(i int) float64 { return rows.v[i*w+x] })
		}
	}
	return out
}

// spanWeights are the source indices first.. and their weights (summing to
// 1) that make one output value.
type spanWeights struct {
	first int
	w     []float64
}

func (s spanWeights) apply(at func(int) float64) float64 {
	sum := 0.0
	for k, wk := range s.w {
		sum += wk * at(s.first+k)
	}
	return sum
}

// areaWeights covers n source cells by m output cells: output j spans the
// source interval [j*n/m, (j+1)*n/m).
func areaWeights(n, m int) []spanWeights {
	out := make([]spanWeights, m)
	scale := float64(n) / float64(m)
	for j := range m {
		lo, hi := float64(j)*scale, float64(j+1)*scale
		first := int(math.Floor(lo))
		last := min(int(math.Ceil(hi)), n) // exclusive
		ws := make([]float64, last-first)
		for i := first; i < last; i++ {
			ws[i-first] = (math.Min(hi, float64(i+1)) - math.Max(lo, float64(i))) / scale
		}
		out[j] = spanWeights{first, ws}
	}
	return out
}

// resizeShorterSide gives the size whose shorter side is s, the aspect kept
// (score_sde's resize_small: each side times s/min(h, w), rounded).
func resizeShorterSide(h, w, s int) (int, int) {
	r := float64(s) / float64(min(h, w))
	return max(s, int(math.Round(float64(h)*r))), max(s, int(math.Round(float64(w)*r)))
}
