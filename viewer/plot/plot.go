// Package plot draws sdevk's small 2-D figures (sample clouds over a true
// density, score-field quiver plots, sampling trajectories) straight into
// an image.RGBA and writes them as PNG, with no dependency beyond the
// standard library: anti-aliased discs, lines and arrows, a faint density
// background, a frame with numeric ticks, and a built-in 5x7 pixel font for
// titles and labels (upper-case letters, digits and common punctuation;
// lower case is drawn in upper case).
package plot

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// Rect is a data-space rectangle.
type Rect struct{ XMin, XMax, YMin, YMax float64 }

// Margins of a panel around its plot area, in pixels.
const (
	marginLeft   = 46
	marginRight  = 14
	marginTop    = 26
	marginBottom = 28
)

// Panel is one plot: a W x H plot area mapping Rect, inside margins that
// hold the title and the tick labels.
type Panel struct {
	Img   *image.RGBA
	W, H  int
	R     Rect
	Title string
}

// NewPanel makes a white panel whose plot area is w x h pixels over r.
func NewPanel(w, h int, r Rect, title string) *Panel {
	img := image.NewRGBA(image.Rect(0, 0, w+marginLeft+marginRight, h+marginTop+marginBottom))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return &Panel{Img: img, W: w, H: h, R: r, Title: title}
}

// ToPixel maps a data point to (fractional) image coordinates.
func (p *Panel) ToPixel(x, y float64) (float64, float64) {
	px := marginLeft + (x-p.R.XMin)/(p.R.XMax-p.R.XMin)*float64(p.W)
	py := marginTop + (p.R.YMax-y)/(p.R.YMax-p.R.YMin)*float64(p.H)
	return px, py
}

// FromPixel maps the centre of plot-area pixel (i, j) to data coordinates.
func (p *Panel) FromPixel(i, j int) (float64, float64) {
	x := p.R.XMin + (float64(i)+0.5)/float64(p.W)*(p.R.XMax-p.R.XMin)
	y := p.R.YMax - (float64(j)+0.5)/float64(p.H)*(p.R.YMax-p.R.YMin)
	return x, y
}

// blend mixes colour c with coverage a (0..1, times c's alpha) into pixel (x, y)
// of the plot area only (clip = true) or of the whole image.
func (p *Panel) blend(x, y int, c color.NRGBA, a float64, clip bool) {
	if clip && (x < marginLeft || x >= marginLeft+p.W || y < marginTop || y >= marginTop+p.H) {
		return
	}
	if !(image.Point{x, y}.In(p.Img.Rect)) {
		return
	}
	a *= float64(c.A) / 255
	if a <= 0 {
		return
	}
	if a > 1 {
		a = 1
	}
	i := p.Img.PixOffset(x, y)
	px := p.Img.Pix[i : i+3 : i+3]
	px[0] = uint8(float64(px[0])*(1-a) + float64(c.R)*a + 0.5)
	px[1] = uint8(float64(px[1])*(1-a) + float64(c.G)*a + 0.5)
	px[2] = uint8(float64(px[2])*(1-a) + float64(c.B)*a + 0.5)
}

// Density shades the plot area by a density given as log-densities: logp
// is called once with the centres of all W*H pixels (x, y pairs) and writes
// one value per pixel. The shade is c at strength (density / max)^gamma.
func (p *Panel) Density(logp func(xy, out []float64), c color.NRGBA, strength, gamma float64) {
	n := p.W * p.H
	xy := make([]float64, 2*n)
	for j := 0; j < p.H; j++ {
		for i := 0; i < p.W; i++ {
			xy[2*(j*p.W+i)], xy[2*(j*p.W+i)+1] = p.FromPixel(i, j)
		}
	}
	v := make([]float64, n)
	logp(xy, v)
	mx := math.Inf(-1)
	for _, l := range v {
		if l > mx {
			mx = l
		}
	}
	if math.IsInf(mx, -1) || math.IsNaN(mx) {
		return
	}
	for j := 0; j < p.H; j++ {
		for i := 0; i < p.W; i++ {
			s := math.Pow(math.Exp(v[j*p.W+i]-mx), gamma)
			p.blend(marginLeft+i, marginTop+j, c, strength*s, true)
		}
	}
}

// Disc draws an anti-aliased disc of radius r pixels at data point (x, y).
func (p *Panel) Disc(x, y, r float64, c color.NRGBA) {
	cx, cy := p.ToPixel(x, y)
	p.discPx(cx, cy, r, c)
}

func (p *Panel) discPx(cx, cy, r float64, c color.NRGBA) {
	if !(math.Abs(cx)+math.Abs(cy) < 1e9) || cx+r < 0 || cy+r < 0 || cx-r > float64(p.Img.Rect.Max.X) || cy-r > float64(p.Img.Rect.Max.Y) {
		return
	}
	for j := int(math.Floor(cy - r - 1)); j <= int(math.Ceil(cy+r+1)); j++ {
		for i := int(math.Floor(cx - r - 1)); i <= int(math.Ceil(cx+r+1)); i++ {
			d := math.Hypot(float64(i)+0.5-cx, float64(j)+0.5-cy)
			if cov := r + 0.5 - d; cov > 0 {
				p.blend(i, j, c, math.Min(cov, 1), true)
			}
		}
	}
}

// Points draws each (x, y) pair of xy as a disc.
func (p *Panel) Points(xy []float64, r float64, c color.NRGBA) {
	for i := 0; i+1 < len(xy); i += 2 {
		p.Disc(xy[i], xy[i+1], r, c)
	}
}

// segPx draws an anti-aliased segment of width w between pixel points.
func (p *Panel) segPx(x0, y0, x1, y1, w float64, c color.NRGBA, clip bool) {
	if math.IsNaN(x0+y0+x1+y1) || math.Abs(x0)+math.Abs(x1)+math.Abs(y0)+math.Abs(y1) > 1e9 {
		return
	}
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy
	h := w / 2
	b := p.Img.Rect
	j0, j1 := max(int(math.Floor(math.Min(y0, y1)-h-1)), b.Min.Y), min(int(math.Ceil(math.Max(y0, y1)+h+1)), b.Max.Y-1)
	i0, i1 := max(int(math.Floor(math.Min(x0, x1)-h-1)), b.Min.X), min(int(math.Ceil(math.Max(x0, x1)+h+1)), b.Max.X-1)
	for j := j0; j <= j1; j++ {
		for i := i0; i <= i1; i++ {
			px, py := float64(i)+0.5, float64(j)+0.5
			u := 0.0
			if l2 > 0 {
				u = math.Max(0, math.Min(1, ((px-x0)*dx+(py-y0)*dy)/l2))
			}
			d := math.Hypot(px-x0-u*dx, py-y0-u*dy)
			if cov := h + 0.5 - d; cov > 0 {
				p.blend(i, j, c, math.Min(cov, 1), clip)
			}
		}
	}
}

// Line draws a segment between two data points, w pixels wide.
func (p *Panel) Line(x0, y0, x1, y1, w float64, c color.NRGBA) {
	a, b := p.ToPixel(x0, y0)
	e, f := p.ToPixel(x1, y1)
	p.segPx(a, b, e, f, w, c, true)
}

// Polyline joins the (x, y) pairs of xy. Overlapping joints are blended
// once per segment, so use an opaque colour or accept darker joints.
func (p *Panel) Polyline(xy []float64, w float64, c color.NRGBA) {
	for i := 0; i+3 < len(xy); i += 2 {
		p.Line(xy[i], xy[i+1], xy[i+2], xy[i+3], w, c)
	}
}

// Arrow draws an arrow from data point (x, y) along the pixel vector
// (dx, dy) (dy up), with a head in proportion to its length.
func (p *Panel) Arrow(x, y, dx, dy, w float64, c color.NRGBA) {
	x0, y0 := p.ToPixel(x, y)
	x1, y1 := x0+dx, y0-dy
	l := math.Hypot(dx, dy)
	if l < 0.5 {
		p.discPx(x0, y0, w/2, c)
		return
	}
	p.segPx(x0, y0, x1, y1, w, c, true)
	hl := math.Min(0.35*l, 7)
	ux, uy := (x1-x0)/l, (y1-y0)/l
	for _, s := range []float64{1, -1} {
		// rotate the back-pointing unit vector by +-25 degrees
		ca, sa := math.Cos(25*math.Pi/180), s*math.Sin(25*math.Pi/180)
		bx, by := -ux*ca+uy*sa, -ux*sa-uy*ca
		p.segPx(x1, y1, x1+hl*bx, y1+hl*by, w, c, true)
	}
}

// Frame draws the plot-area border, ticks with numeric labels, and the
// title.
func (p *Panel) Frame() {
	black := color.NRGBA{40, 40, 40, 255}
	x0, y0 := float64(marginLeft), float64(marginTop)
	x1, y1 := x0+float64(p.W), y0+float64(p.H)
	for _, s := range [][4]float64{{x0, y0, x1, y0}, {x0, y1, x1, y1}, {x0, y0, x0, y1}, {x1, y0, x1, y1}} {
		p.segPx(s[0], s[1], s[2], s[3], 1, black, false)
	}
	for _, t := range Ticks(p.R.XMin, p.R.XMax, 6) {
		px, _ := p.ToPixel(t, 0)
		p.segPx(px, y1, px, y1+4, 1, black, false)
		lab := tickLabel(t)
		p.Text(int(px)-TextWidth(lab)/2, int(y1)+8, lab, black)
	}
	for _, t := range Ticks(p.R.YMin, p.R.YMax, 6) {
		_, py := p.ToPixel(0, t)
		p.segPx(x0-4, py, x0, py, 1, black, false)
		lab := tickLabel(t)
		p.Text(int(x0)-7-TextWidth(lab), int(py)-3, lab, black)
	}
	if p.Title != "" {
		p.Text(marginLeft+(p.W-TextWidth(p.Title))/2, 9, p.Title, black)
	}
}

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

func tickLabel(t float64) string {
	s := fmt.Sprintf("%.4g", t)
	if s == "-0" {
		s = "0"
	}
	return s
}

// Row places panels side by side on one white image.
func Row(panels ...*Panel) *image.RGBA {
	w, h := 0, 0
	for _, p := range panels {
		w += p.Img.Rect.Dx()
		h = max(h, p.Img.Rect.Dy())
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	x := 0
	for _, p := range panels {
		draw.Draw(img, p.Img.Rect.Add(image.Point{x, 0}), p.Img, image.Point{}, draw.Src)
		x += p.Img.Rect.Dx()
	}
	return img
}

// SavePNG writes img to path through a temporary file and a rename, so an
// existing file is replaced whole or not at all.
func SavePNG(path string, img image.Image) error {
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// Palette is a qualitative colour cycle for several series.
var Palette = []color.NRGBA{
	{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {148, 103, 189, 255},
	{255, 127, 14, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {23, 190, 207, 255},
}
