package viewer

import (
	"fmt"
	"math"
)

// The aux buffer the shade kernel reads: colour map, font, text and loss
// curve, in 32-bit words. shaders/view_shade.comp declares the same layout.
const (
	auxLUT      = 0    // 256 packed RGBA colours
	auxFont     = 256  // 96 glyphs, 4 words each
	auxText     = 640  // maxLines lines of lineWords words: length, characters
	auxLoss     = 832  // count, then up to maxLoss values in [0, 1]
	auxWords    = 1408 // total
	maxLines    = 3
	lineWords   = 64
	maxLineLen  = lineWords - 1
	maxLoss     = 512
	glyphW      = 6
	glyphH      = 13
	glyphAdv    = 7
	glyphWords  = 4
	glyphsCount = 96
)

// Shade flags (push constant flags of view_shade.comp).
const (
	flagBackground = 1
	flagBGRA       = 2
	flagLoss       = 4
	flagText       = 8
)

// Glyph reports whether pixel (x, y) of character c is set in the viewer's
// font (6 x 13; tests and host-side drawing use it).
func Glyph(c byte, x, y int) bool {
	if c < 32 || c > 127 || x < 0 || y < 0 || x >= glyphW || y >= glyphH {
		return false
	}
	w := fontGlyphs[int(c-32)*glyphWords+y/4]
	return w>>uint((y%4)*8+x)&1 != 0
}

// Colormaps lists the colour maps the viewer knows.
var Colormaps = []string{"inferno", "magma", "viridis", "gray"}

// Polynomial fits of matplotlib's perceptual colour maps (degree 6, after
// Matt Zucker's fits), evaluated on the host into a 256-entry table.
var cmapCoeffs = map[string][7][3]float64{
	"inferno": {
		{0.0002189403691192265, 0.001651004631001012, -0.01948089843709184},
		{0.1065134194856116, 0.5639564367884091, 3.932712388889277},
		{11.60249308247187, -3.972853965665698, -15.9423941062914},
		{-41.70399613139459, 17.43639888205313, 44.35414519872813},
		{77.162935699427, -33.40235894210092, -81.80730925738993},
		{-71.31942824499214, 32.62606426397723, 73.20951985803202},
		{25.13112622477341, -12.24266895238567, -23.07032500287172},
	},
	"magma": {
		{-0.002136485053939582, -0.000749655052795221, -0.005386127855323933},
		{0.2516605407371642, 0.6775232436837668, 2.494026599312351},
		{8.353717279216625, -3.577719514958484, 0.3144679030132573},
		{-27.66873308576866, 14.26473078096533, -13.64921318813922},
		{52.17613981234068, -27.94360607168351, 12.94416944238394},
		{-50.76852536473588, 29.04658282127291, 4.23415299384598},
		{18.65570506591883, -11.48977351997711, -5.601961508734096},
	},
	"viridis": {
		{0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
		{0.1050930431085774, 1.404613529898575, 1.384590162594685},
		{-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
		{-4.634230498983486, -5.799100973351585, -19.33244095627987},
		{6.228269936347081, 14.17993336680509, 56.69055260068105},
		{4.776384997670288, -13.74514537774601, -65.35303263337234},
		{-5.435455855934631, 4.645852612178535, 26.3124352495832},
	},
}

// Colormap returns the 256 sRGB colours of the named map.
func Colormap(name string) ([256][3]uint8, error) {
	var out [256][3]uint8
	if name == "" {
		name = "inferno"
	}
	if name == "gray" || name == "grey" {
		for i := range out {
			out[i] = [3]uint8{uint8(i), uint8(i), uint8(i)}
		}
		return out, nil
	}
	c, ok := cmapCoeffs[name]
	if !ok {
		return out, fmt.Errorf("viewer: unknown colour map %q (have %v)", name, Colormaps)
	}
	for i := range out {
		t := float64(i) / 255
		for ch := 0; ch < 3; ch++ {
			v := 0.0
			for k := 6; k >= 0; k-- {
				v = v*t + c[k][ch]
			}
			out[i][ch] = uint8(math.Round(255 * math.Max(0, math.Min(1, v))))
		}
	}
	return out, nil
}

// lossCurve turns a loss history into at most maxLoss values in [0, 1]
// (log scale when every value is positive, bucket means when longer).
func lossCurve(loss []float32) []float32 {
	var vals []float64
	for _, l := range loss {
		if !math.IsNaN(float64(l)) && !math.IsInf(float64(l), 0) {
			vals = append(vals, float64(l))
		}
	}
	if len(vals) < 2 {
		return nil
	}
	if len(vals) > maxLoss {
		out := make([]float64, maxLoss)
		for i := range out {
			a, b := i*len(vals)/maxLoss, (i+1)*len(vals)/maxLoss
			s := 0.0
			for _, v := range vals[a:b] {
				s += v
			}
			out[i] = s / float64(b-a)
		}
		vals = out
	}
	positive := true
	for _, v := range vals {
		positive = positive && v > 0
	}
	if positive {
		for i := range vals {
			vals[i] = math.Log(vals[i])
		}
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	out := make([]float32, len(vals))
	for i, v := range vals {
		if hi > lo {
			out[i] = float32((v - lo) / (hi - lo))
		} else {
			out[i] = 0.5
		}
	}
	return out
}
