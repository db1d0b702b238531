package viewer

import (
	"fmt"
	"image"
	"math"
	"unsafe"

	"github.com/sdevk/sdevk/shaders"
	"github.com/sdevk/sdevk/viewer/plot"
	"github.com/sdevk/sdevk/vk"
)

// RenderOptions configure a Renderer.
type RenderOptions struct {
	// Colormap is one of Colormaps; empty means inferno.
	Colormap string
	// BackgroundAlpha is the strength of the background image (0..1);
	// zero means 0.6.
	BackgroundAlpha float32
	// TextScale magnifies the font (pixels per font pixel); zero picks 1 for
	// frames under 600 pixels high, else 2.
	TextScale int
	// Profile times each kernel of a frame (Timings).
	Profile bool
	// Weight is the fixed-point weight of one point in the density image
	// (zero: 256); the count saturates at 2^32 / Weight points per pixel.
	Weight uint32
}

// Renderer draws Frames into a packed 8-bit RGBA (or BGRA) buffer on a
// vk.Device with two compute kernels, view_splat and view_shade. It needs no
// window: tests, the S key and headless runs use it directly.
//
// A Renderer is used by one goroutine at a time.
type Renderer struct {
	dev          *vk.Device
	opts         RenderOptions
	w, h         int
	bgra         bool
	splat, shade *vk.Kernel
	density      *vk.Buffer // w*h+1 uint32 counts (the last is the largest)
	out          *vk.Buffer // w*h packed pixels
	aux          *vk.Buffer // colour map, font, text, loss
	proj         *vk.Buffer // mean, u, v of the projection
	projD        int
	projSet      *Projection
	bg           *vk.Buffer // w*h background values in [0, 1]
	dummy        *vk.Buffer
	bgSource     func(w, h int, b Bounds) []float32
	bgFor        bgKey
	seq          *vk.Sequence
	key          recordKey
	recorded     bool
	auxScratch   []uint32
}

type bgKey struct {
	w, h int
	b    Bounds
	ok   bool
}

// recordKey is everything the recorded command buffer depends on; the
// per-frame text and loss curve go through the aux buffer, so a frame that
// differs only in those replays the recording.
type recordKey struct {
	points     *vk.Buffer
	n, d       int
	w, h       int
	image      ImageShape
	grid       bool
	projection bool
	axes       [2]int
	bounds     Bounds
	flags      uint32
	lines      int
}

// NewRenderer prepares the kernels and buffers for w x h frames on dev.
func NewRenderer(dev *vk.Device, w, h int, opts RenderOptions) (*Renderer, error) {
	r := &Renderer{dev: dev, opts: opts}
	if r.opts.BackgroundAlpha == 0 {
		r.opts.BackgroundAlpha = 0.6
	}
	if r.opts.Weight == 0 {
		r.opts.Weight = 256
	}
	lut, err := Colormap(opts.Colormap)
	if err != nil {
		return nil, err
	}
	local := uint32(64)
	if max := dev.Info.Limits.MaxWorkgroupInvocations; local > max {
		local = max
	}
	code, err := shaders.SPIRV("view_splat")
	if err != nil {
		return nil, err
	}
	if r.splat, err = dev.Kernel(vk.KernelSpec{Name: "view_splat", SPIRV: code, Local: [3]uint32{local, 1, 1}}); err != nil {
		return nil, err
	}
	if code, err = shaders.SPIRV("view_shade"); err != nil {
		return nil, err
	}
	if r.shade, err = dev.Kernel(vk.KernelSpec{Name: "view_shade", SPIRV: code, Local: [3]uint32{8, 8, 1}}); err != nil {
		return nil, err
	}
	if r.seq, err = dev.NewSequence(opts.Profile); err != nil {
		return nil, err
	}
	if r.aux, err = dev.NewBuffer(auxWords * 4); err != nil {
		r.Close()
		return nil, err
	}
	if r.dummy, err = dev.NewBuffer(16); err != nil {
		r.Close()
		return nil, err
	}
	head := make([]uint32, auxText)
	for i, c := range lut {
		head[auxLUT+i] = uint32(c[0]) | uint32(c[1])<<8 | uint32(c[2])<<16 | 255<<24
	}
	copy(head[auxFont:], fontGlyphs[:])
	if err := r.aux.UploadU32(head); err != nil {
		r.Close()
		return nil, err
	}
	r.auxScratch = make([]uint32, auxWords-auxText)
	if err := r.Resize(w, h); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Device returns the device the renderer draws on.
func (r *Renderer) Device() *vk.Device { return r.dev }

// Size returns the frame size in pixels.
func (r *Renderer) Size() (w, h int) { return r.w, r.h }

// SetBGRA selects the byte order of the output: B, G, R, A in memory (for
// B8G8R8A8 swapchain images) instead of R, G, B, A.
func (r *Renderer) SetBGRA(bgra bool) {
	if r.bgra != bgra {
		r.bgra, r.recorded = bgra, false
	}
}

// BGRA reports the output byte order.
func (r *Renderer) BGRA() bool { return r.bgra }

// Resize reallocates the frame buffers for w x h pixels.
func (r *Renderer) Resize(w, h int) error {
	if w < 1 || h < 1 {
		return fmt.Errorf("viewer: frame of %d x %d pixels", w, h)
	}
	if w == r.w && h == r.h && r.out != nil {
		return nil
	}
	if err := r.seq.Wait(); err != nil {
		return err
	}
	r.density.Free()
	r.out.Free()
	r.bg.Free()
	r.density, r.out, r.bg = nil, nil, nil
	r.w, r.h, r.recorded, r.bgFor = w, h, false, bgKey{}
	var err error
	if r.density, err = r.dev.NewBuffer(uint64(w*h+1) * 4); err != nil {
		return err
	}
	if r.out, err = r.dev.NewBuffer(uint64(w*h) * 4); err != nil {
		return err
	}
	return nil
}

// SetBackground shows f(x, y) (the true density, for instance) faintly behind
// the samples, evaluated on the host at each pixel's centre whenever the size
// or the bounds change, and scaled so that its maximum is 1. nil removes it.
func (r *Renderer) SetBackground(f func(x, y float64) float64) {
	if f == nil {
		r.bgSource = nil
	} else {
		r.bgSource = func(w, h int, b Bounds) []float32 {
			out := make([]float32, w*h)
			for j := 0; j < h; j++ {
				y := b.YMax - (float64(j)+0.5)*(b.YMax-b.YMin)/float64(h)
				for i := 0; i < w; i++ {
					out[j*w+i] = float32(f(b.XMin+(float64(i)+0.5)*(b.XMax-b.XMin)/float64(w), y))
				}
			}
			return normalise(out)
		}
	}
	r.bgFor, r.recorded = bgKey{}, false
}

// SetBackgroundPoints shows a histogram of points (rows of d values, the
// training data for instance; coordinates ax0, ax1 or the projection p when
// not nil) faintly behind the samples, lightly blurred.
func (r *Renderer) SetBackgroundPoints(points []float32, d int, axes [2]int, p *Projection) {
	pts := append([]float32(nil), points...)
	r.bgSource = func(w, h int, b Bounds) []float32 {
		out := make([]float32, w*h)
		for k := 0; k+d <= len(pts); k += d {
			u, v := project(pts[k:k+d], axes, p)
			i := int(math.Floor((u - b.XMin) / (b.XMax - b.XMin) * float64(w)))
			j := int(math.Floor((b.YMax - v) / (b.YMax - b.YMin) * float64(h)))
			if i >= 0 && j >= 0 && i < w && j < h {
				out[j*w+i]++
			}
		}
		for pass := 0; pass < 3; pass++ {
			out = blur(out, w, h)
		}
		for i := range out {
			out[i] = float32(math.Sqrt(float64(out[i])))
		}
		return normalise(out)
	}
	r.bgFor, r.recorded = bgKey{}, false
}

func project(x []float32, axes [2]int, p *Projection) (u, v float64) {
	if p == nil {
		return float64(x[axes[0]]), float64(x[axes[1]])
	}
	for k := range x {
		c := float64(x[k] - p.Mean[k])
		u += c * float64(p.U[k])
		v += c * float64(p.V[k])
	}
	return u, v
}

func blur(a []float32, w, h int) []float32 {
	out := make([]float32, len(a))
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			s, n := float32(0), float32(0)
			for dj := -1; dj <= 1; dj++ {
				for di := -1; di <= 1; di++ {
					x, y := i+di, j+dj
					if x >= 0 && y >= 0 && x < w && y < h {
						s += a[y*w+x]
						n++
					}
				}
			}
			out[j*w+i] = s / n
		}
	}
	return out
}

func normalise(a []float32) []float32 {
	top := float32(0)
	for _, v := range a {
		if v > top {
			top = v
		}
	}
	if top > 0 {
		for i := range a {
			a[i] /= top
		}
	}
	return a
}

// gridLayout computes the grid of an image frame: columns (im.Cols when
// set and the frame is wide enough), pixel scale, images shown.
func gridLayout(w, h, n int, im ImageShape) (cols, scale, shown int) {
	const gap = 2
	fit := func(s int) int {
		cols := w / (im.W*s + gap)
		if im.Cols > 0 {
			cols = min(cols, im.Cols)
		}
		return cols
	}
	for s := 16; s >= 1; s-- {
		cols := fit(s)
		rows := h / (im.H*s + gap)
		if cols >= 1 && (im.Cols == 0 || cols == im.Cols) && rows >= 1 && cols*rows >= n {
			return cols, s, n
		}
	}
	cols = max(fit(1), 1)
	rows := max(h/(im.H+gap), 1)
	return cols, 1, min(n, cols*rows)
}

// Render draws f. It returns once the commands are queued; Wait, Image or
// Output's users wait for them. The previous frame is waited for first, so a
// caller never has more than one frame in flight per Renderer.
func (r *Renderer) Render(f *Frame) error {
	if err := f.check(); err != nil {
		return err
	}
	if err := r.seq.Wait(); err != nil {
		return err
	}
	bounds := f.Bounds.fit(r.w, r.h)
	key := recordKey{points: f.Points, n: f.N, d: f.D, w: r.w, h: r.h, axes: f.axes(), bounds: bounds}
	if f.Image != nil {
		key.grid, key.image, key.bounds = true, *f.Image, Bounds{}
		if key.image.Lo == key.image.Hi {
			key.image.Lo, key.image.Hi = -1, 1
		}
	} else if f.Projection != nil {
		key.projection, key.axes = true, [2]int{}
		if err := r.setProjection(f.Projection); err != nil {
			return err
		}
	}
	// Background, evaluated for the current size and bounds.
	if r.bgSource != nil && !key.grid {
		want := bgKey{r.w, r.h, bounds, true}
		if r.bgFor != want {
			if r.bg == nil {
				var err error
				if r.bg, err = r.dev.NewBuffer(uint64(r.w*r.h) * 4); err != nil {
					return err
				}
			}
			if err := r.bg.Upload(r.bgSource(r.w, r.h, bounds)); err != nil {
				return err
			}
			r.bgFor = want
		}
		key.flags |= flagBackground
	}
	if r.bgra {
		key.flags |= flagBGRA
	}
	// Overlays: text lines and the loss curve, through aux.
	lines := f.lines()
	loss := lossCurve(f.Loss)
	aux := r.auxScratch
	clear(aux)
	for i, l := range lines {
		if len(l) > maxLineLen {
			l = l[:maxLineLen]
		}
		aux[i*lineWords] = uint32(len(l))
		for j := 0; j < len(l); j++ {
			aux[i*lineWords+1+j] = uint32(l[j])
		}
	}
	if len(loss) >= 2 {
		aux[auxLoss-auxText] = uint32(len(loss))
		for i, v := range loss {
			aux[auxLoss-auxText+1+i] = math.Float32bits(v)
		}
		key.flags |= flagLoss
	}
	if len(lines) > 0 {
		key.flags |= flagText
	}
	key.lines = len(lines)
	if err := r.aux.Write(auxText*4, u32bytes(aux)); err != nil {
		return err
	}
	if !r.recorded || key != r.key {
		if err := r.record(key); err != nil {
			r.recorded = false
			return err
		}
		r.key, r.recorded = key, true
	}
	return r.seq.SubmitAsync()
}

func u32bytes(v []uint32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

func (r *Renderer) setProjection(p *Projection) error {
	if r.projSet == p && r.projD == len(p.Mean) {
		return nil
	}
	d := len(p.Mean)
	if r.proj == nil || r.proj.Len() < 3*d {
		r.proj.Free()
		var err error
		if r.proj, err = r.dev.NewBufferF32(3 * d); err != nil {
			return err
		}
		r.recorded = false
	}
	v := make([]float32, 0, 3*d)
	v = append(append(append(v, p.Mean...), p.U...), p.V...)
	if err := r.proj.Upload(v); err != nil {
		return err
	}
	r.projSet, r.projD = p, d
	return nil
}

func (r *Renderer) record(k recordKey) error {
	s := r.seq
	if err := s.Begin(); err != nil {
		return err
	}
	// Make the writes of earlier submissions (the sampler's) visible.
	s.Barrier()
	textScale := r.opts.TextScale
	if textScale == 0 {
		textScale = 1
		if r.h >= 600 {
			textScale = 2
		}
	}
	bg := r.dummy
	if k.flags&flagBackground != 0 {
		bg = r.bg
	}
	var src *vk.Buffer
	mode := uint32(0)
	var n, c, ih, iw, cols, scale, gap uint32
	lo, hi := float32(0), float32(1)
	if k.grid {
		mode, src = 1, k.points
		col, sc, shown := gridLayout(k.w, k.h, k.n, k.image)
		n, c, ih, iw, cols, scale, gap = uint32(shown), uint32(k.image.C), uint32(k.image.H), uint32(k.image.W), uint32(col), uint32(sc), 2
		lo, hi = k.image.Lo, k.image.Hi
	} else {
		src = r.density
		s.Fill(r.density, 0)
		splatMode, proj := uint32(0), r.dummy
		if k.projection {
			splatMode, proj = 1, r.proj
		}
		b := k.bounds
		push := vk.Push(uint32(k.n), uint32(k.d), uint32(k.w), uint32(k.h),
			splatMode, uint32(k.axes[0]), uint32(k.axes[1]), r.opts.Weight,
			float32(b.XMin), float32(float64(k.w)/(b.XMax-b.XMin)), float32(b.YMax), float32(float64(k.h)/(b.YMax-b.YMin)))
		if k.n > 0 {
			if err := s.Dispatch(r.splat, r.splat.Groups(k.n), push, k.points, proj, r.density); err != nil {
				return err
			}
		}
	}
	textH := uint32(4 + k.lines*(glyphH+2)*textScale)
	var lx0, ly0, lw, lh uint32
	if pw, ph := max(k.w/3, 16), max(k.h/5, 12); k.flags&flagLoss != 0 && pw+8 <= k.w && ph+8 <= k.h {
		lx0, ly0, lw, lh = uint32(k.w-pw-8), uint32(k.h-ph-8), uint32(pw), uint32(ph)
	}
	push := vk.Push(uint32(k.w), uint32(k.h), mode, k.flags,
		r.opts.BackgroundAlpha, float32(1), uint32(textScale), uint32(k.lines),
		n, c, ih, iw, cols, scale, gap, textH, lo, hi, lx0, ly0, lw, lh)
	groups := [3]uint32{uint32(k.w+7) / 8, uint32(k.h+7) / 8, 1}
	if err := s.Dispatch(r.shade, groups, push, src, bg, r.aux, r.out); err != nil {
		return err
	}
	// Later submissions (the sampler's next step, which may overwrite the
	// points) wait for these reads; the presentation copy sees the pixels.
	s.Barrier()
	return s.End()
}

// Wait blocks until the last rendered frame is complete.
func (r *Renderer) Wait() error { return r.seq.Wait() }

// Timings returns the GPU time of each kernel of the last frame (with
// RenderOptions.Profile).
func (r *Renderer) Timings() ([]vk.Timing, error) { return r.seq.Timings() }

// Output is the buffer of packed pixels (row-major, w*h words), complete
// after Wait.
func (r *Renderer) Output() *vk.Buffer { return r.out }

// Image waits for the last frame and returns it as RGBA (whatever the
// output byte order).
func (r *Renderer) Image() (*image.RGBA, error) {
	if err := r.Wait(); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, r.w, r.h))
	if err := r.out.Read(0, img.Pix); err != nil {
		return nil, err
	}
	if r.bgra {
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+2] = img.Pix[i+2], img.Pix[i]
		}
	}
	return img, nil
}

// SavePNG writes the last frame to path.
func (r *Renderer) SavePNG(path string) error {
	img, err := r.Image()
	if err != nil {
		return err
	}
	return SavePNG(path, img)
}

// SavePNG writes img to path as a PNG file, whole or not at all.
func SavePNG(path string, img image.Image) error { return plot.SavePNG(path, img) }

// Close frees the renderer's buffers and sequence.
func (r *Renderer) Close() {
	if r == nil {
		return
	}
	if r.seq != nil {
		r.seq.Destroy()
		r.seq = nil
	}
	for _, b := range []*vk.Buffer{r.density, r.out, r.aux, r.proj, r.bg, r.dummy} {
		b.Free()
	}
	r.density, r.out, r.aux, r.proj, r.bg, r.dummy = nil, nil, nil, nil, nil, nil
}
