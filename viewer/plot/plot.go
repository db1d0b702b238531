// Package plot draws sdevk's small 2-D figures (sample clouds over a true
// density, score-field quiver plots, sampling trajectories, loss curves)
// with gonum.org/v1/plot and writes them as PNG: a Panel collects series in
// data coordinates, Frame renders it with a title, labelled axes with ticks
// and a legend of the named series, Row puts panels side by side and
// SavePNG writes the image atomically.
//
//	p := plot.NewPanel(480, 480, plot.Rect{XMin: -1, XMax: 1, YMin: -1, YMax: 1}, "samples")
//	p.Density(logp, plot.Palette[0], 0.5, 0.5)
//	p.Points(xy, 1.5, plot.Palette[1])
//	p.Frame()
//	err := plot.SavePNG("samples.png", p.Img)
package plot

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	"github.com/sdevk/sdevk/internal/atomicfile"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Rect is a data-space rectangle.
type Rect struct{ XMin, XMax, YMin, YMax float64 }

// dpi is the resolution of the rendered panels; px is one pixel.
const (
	dpi = 96
	px  = vg.Inch / dpi
)

// Margins of a panel around its plot area, in pixels: room for the title,
// the tick labels and the axis labels.
const (
	MarginX = 72
	MarginY = 70
)

// Panel is one plot: a plot area of about W x H pixels mapping R, inside
// margins that hold the title, the ticks and the axis labels. Series are
// collected in data coordinates; Frame renders them into Img.
type Panel struct {
	// Img is the rendered panel, (W+MarginX) x (H+MarginY) pixels; it is
	// white until Frame.
	Img            *image.RGBA
	W, H           int
	R              Rect
	Title          string
	XLabel, YLabel string

	plotters []gplot.Plotter
	legend   []legendEntry
}

type legendEntry struct {
	name  string
	thumb gplot.Thumbnailer
}

// NewPanel makes a white panel whose plot area is about w x h pixels over
// r, with axes labelled x and y.
func NewPanel(w, h int, r Rect, title string) *Panel {
	img := image.NewRGBA(image.Rect(0, 0, w+MarginX, h+MarginY))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return &Panel{Img: img, W: w, H: h, R: r, Title: title, XLabel: "x", YLabel: "y"}
}

// FromPixel maps the centre of pixel (i, j) of a W x H grid over the plot
// area (row 0 at the top) to data coordinates.
func (p *Panel) FromPixel(i, j int) (float64, float64) {
	x := p.R.XMin + (float64(i)+0.5)/float64(p.W)*(p.R.XMax-p.R.XMin)
	y := p.R.YMax - (float64(j)+0.5)/float64(p.H)*(p.R.YMax-p.R.YMin)
	return x, y
}

// add appends a series; a non-empty name gives it a legend entry (one per
// name: later series of the same name share the first one's entry).
func (p *Panel) add(pl gplot.Plotter, name string, thumb gplot.Thumbnailer) {
	p.plotters = append(p.plotters, pl)
	if name == "" {
		return
	}
	for _, e := range p.legend {
		if e.name == name {
			return
		}
	}
	p.legend = append(p.legend, legendEntry{name, thumb})
}

// Frame renders the panel into Img: its series, the title, both axes with
// ticks and labels, and the legend of the named series (top right, on a
// light box so that it reads over the data).
func (p *Panel) Frame() {
	plt := gplot.New()
	plt.Title.Text = p.Title
	plt.Title.Padding = 6 * px
	plt.X.Label.Text, plt.Y.Label.Text = p.XLabel, p.YLabel
	plt.Title.TextStyle.Font = sans(14)
	plt.X.Label.TextStyle.Font, plt.Y.Label.TextStyle.Font = sans(13), sans(13)
	plt.X.Tick.Label.Font, plt.Y.Tick.Label.Font = sans(11), sans(11)
	plt.X.Tick.Marker, plt.Y.Tick.Marker = niceTicker{}, niceTicker{}
	plt.Legend.TextStyle.Font = sans(12)
	plt.Add(p.plotters...)
	// The rectangle is the caller's, whatever the series' extent.
	plt.X.Min, plt.X.Max, plt.Y.Min, plt.Y.Max = p.R.XMin, p.R.XMax, p.R.YMin, p.R.YMax
	plt.Legend.Top = true
	plt.Legend.XOffs, plt.Legend.YOffs = -legendInset, -legendInset
	var names []string
	for _, e := range p.legend {
		plt.Legend.Add(e.name, e.thumb)
		names = append(names, e.name)
	}
	if len(names) > 0 {
		plt.Add(legendBox{names})
	}
	b := p.Img.Bounds()
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(b.Dx())*px, vg.Length(b.Dy())*px), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	const pad = 6 * px
	plt.Draw(vgdraw.Crop(vgdraw.New(c), pad, -pad, pad, -pad))
	draw.Draw(p.Img, b, c.Image(), image.Point{}, draw.Src)
}

// sans is the Liberation Sans face at size points.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: font.Length(size)}
}

// legendInset is the legend's distance from the plot area's top right.
const legendInset = 6 * px

// legendBox fills the legend's extent with translucent white. It is the
// last series, and gonum draws the legend after the series, so the box
// lies between the data and the legend's text.
type legendBox struct{ names []string }

func (b legendBox) Plot(c vgdraw.Canvas, plt *gplot.Plot) {
	l := plt.Legend
	var w, entry vg.Length
	for _, name := range b.names {
		r := l.TextStyle.Rectangle(" " + name)
		w = max(w, l.ThumbnailWidth+r.Max.X)
		entry = max(entry, r.Max.Y)
	}
	h := vg.Length(len(b.names))*entry + vg.Length(len(b.names)-1)*l.Padding
	const m = 3 * px
	maxX, maxY := c.Max.X+l.XOffs, c.Max.Y+l.YOffs
	box := []vg.Point{{X: maxX - w - m, Y: maxY - h - m}, {X: maxX + m, Y: maxY - h - m}, {X: maxX + m, Y: maxY + m}, {X: maxX - w - m, Y: maxY + m}}
	c.FillPolygon(color.NRGBA{255, 255, 255, 215}, box)
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
