package plot

import (
	"image"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Density shades the plot area by a density given as log-densities, under
// the legend entry "density": logp is called once with the centres of all
// W*H pixels (x, y pairs) and writes one value per pixel. The shade is c at
// strength (density / max)^gamma.
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
		mx = math.Max(mx, l)
	}
	if math.IsInf(mx, -1) || math.IsNaN(mx) {
		return
	}
	img := image.NewNRGBA(image.Rect(0, 0, p.W, p.H))
	for j := 0; j < p.H; j++ {
		for i := 0; i < p.W; i++ {
			a := strength * math.Pow(math.Exp(v[j*p.W+i]-mx), gamma) * float64(c.A) / 255
			if a > 0 {
				img.SetNRGBA(i, j, color.NRGBA{c.R, c.G, c.B, uint8(255*math.Min(a, 1) + 0.5)})
			}
		}
	}
	shade := c
	shade.A = uint8(255 * math.Min(strength*float64(c.A)/255, 1))
	p.add(plotter.NewImage(img, p.R.XMin, p.R.YMin, p.R.XMax, p.R.YMax), "density", boxThumb{shade})
}

// boxThumb is a legend thumbnail filled with one colour.
type boxThumb struct{ c color.Color }

func (b boxThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(b.c, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// Disc draws a disc of radius r pixels at data point (x, y).
func (p *Panel) Disc(x, y, r float64, c color.NRGBA) { p.Scatter("", []float64{x, y}, r, c) }

// Points draws each (x, y) pair of xy as a disc of radius r pixels, under
// the legend entry "samples".
func (p *Panel) Points(xy []float64, r float64, c color.NRGBA) { p.Scatter("samples", xy, r, c) }

// Scatter draws each (x, y) pair of xy as a disc of radius r pixels, under
// the legend entry name (none when empty). Points outside the rectangle or
// not finite are skipped.
func (p *Panel) Scatter(name string, xy []float64, r float64, c color.NRGBA) {
	s, err := plotter.NewScatter(finitePairs(xy))
	if err != nil {
		return // no finite point
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Length(r) * px, Shape: draw.CircleGlyph{}}
	p.add(s, name, dotThumb{c, r})
}

// dotThumb is a scatter's legend thumbnail: one opaque dot, at least 3
// pixels wide however small and faint the series' dots are.
type dotThumb struct {
	c color.NRGBA
	r float64
}

func (d dotThumb) Thumbnail(c *draw.Canvas) {
	col := d.c
	col.A = 255
	mid := vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}
	c.DrawGlyph(draw.GlyphStyle{Color: col, Radius: vg.Length(math.Max(d.r, 3)) * px, Shape: draw.CircleGlyph{}}, mid)
}

// Line draws a segment between two data points, w pixels wide.
func (p *Panel) Line(x0, y0, x1, y1, w float64, c color.NRGBA) {
	p.Series("", []float64{x0, y0, x1, y1}, w, c)
}

// Polyline joins the (x, y) pairs of xy with a line w pixels wide, with no
// legend entry.
func (p *Panel) Polyline(xy []float64, w float64, c color.NRGBA) { p.Series("", xy, w, c) }

// Series joins the (x, y) pairs of xy with a line w pixels wide, under the
// legend entry name (none when empty). Pairs that are not finite are
// skipped; the line is clipped to the rectangle.
func (p *Panel) Series(name string, xy []float64, w float64, c color.NRGBA) {
	l, err := plotter.NewLine(finitePairs(xy))
	if err != nil {
		return
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Length(w) * px}
	p.add(l, name, l)
}

// finitePairs is the finite (x, y) pairs of xy.
func finitePairs(xy []float64) plotter.XYs {
	out := make(plotter.XYs, 0, len(xy)/2)
	for i := 0; i+1 < len(xy); i += 2 {
		if x, y := xy[i], xy[i+1]; !math.IsNaN(x+y) && !math.IsInf(x+y, 0) {
			out = append(out, plotter.XY{X: x, Y: y})
		}
	}
	return out
}

// Arrow draws an arrow from data point (x, y) along the pixel vector
// (dx, dy) (dy up), w pixels wide with a head in proportion to its length,
// under the legend entry "score" (quiver plots of score fields).
func (p *Panel) Arrow(x, y, dx, dy, w float64, c color.NRGBA) {
	style := draw.LineStyle{Color: c, Width: vg.Length(w) * px}
	if n := len(p.plotters); n > 0 {
		// Arrows drawn in a row in one style are one series.
		if last, ok := p.plotters[n-1].(*arrows); ok && last.style.Color == style.Color && last.style.Width == style.Width {
			last.xy, last.d = append(last.xy, x, y), append(last.d, dx, dy)
			return
		}
	}
	a := &arrows{style: style, xy: []float64{x, y}, d: []float64{dx, dy}}
	p.add(a, "score", a)
}

// arrows is a quiver: arrows from data points xy along pixel vectors d.
type arrows struct {
	style draw.LineStyle
	xy, d []float64
}

func (a *arrows) Plot(c draw.Canvas, plt *gplot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i := 0; i+1 < len(a.xy); i += 2 {
		x0, y0 := trX(a.xy[i]), trY(a.xy[i+1])
		if !c.Contains(vg.Point{X: x0, Y: y0}) {
			continue
		}
		a.draw(&c, vg.Point{X: x0, Y: y0}, a.d[i], a.d[i+1])
	}
}

// draw strokes one arrow from p0 along (dx, dy) pixels; the head's sides
// are the back-pointing direction turned by +-25 degrees.
func (a *arrows) draw(c *draw.Canvas, p0 vg.Point, dx, dy float64) {
	l := math.Hypot(dx, dy)
	if l < 0.5 {
		c.DrawGlyph(draw.GlyphStyle{Color: a.style.Color, Radius: a.style.Width / 2, Shape: draw.CircleGlyph{}}, p0)
		return
	}
	p1 := vg.Point{X: p0.X + vg.Length(dx)*px, Y: p0.Y + vg.Length(dy)*px}
	head := math.Min(0.35*l, 7)
	ux, uy := dx/l, dy/l
	lines := [][]vg.Point{{p0, p1}}
	for _, s := range []float64{1, -1} {
		ca, sa := math.Cos(25*math.Pi/180), s*math.Sin(25*math.Pi/180)
		bx, by := -ux*ca+uy*sa, -ux*sa-uy*ca
		lines = append(lines, []vg.Point{p1, {X: p1.X + vg.Length(head*bx)*px, Y: p1.Y + vg.Length(head*by)*px}})
	}
	c.StrokeLines(a.style, c.ClipLinesXY(lines...)...)
}

// Thumbnail is a short arrow across the legend's thumbnail.
func (a *arrows) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	y := (r.Min.Y + r.Max.Y) / 2
	a.draw(c, vg.Point{X: r.Min.X, Y: y}, float64((r.Max.X-r.Min.X)/px), 0)
}
