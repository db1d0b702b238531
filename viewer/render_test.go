package viewer

import (
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// mixture returns n points of an 8-component Gaussian mixture on a circle of
// radius 2.5 (standard deviation 0.2), and the component means.
func mixture(n int, seed uint64) ([]float32, [][2]float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var means [][2]float64
	for k := 0; k < 8; k++ {
		a := 2 * math.Pi * float64(k) / 8
		means = append(means, [2]float64{2.5 * math.Cos(a), 2.5 * math.Sin(a)})
	}
	x := make([]float32, 2*n)
	for i := 0; i < n; i++ {
		m := means[rng.IntN(8)]
		x[2*i] = float32(m[0] + 0.2*rng.NormFloat64())
		x[2*i+1] = float32(m[1] + 0.2*rng.NormFloat64())
	}
	return x, means
}

func mixtureDensity(means [][2]float64) func(x, y float64) float64 {
	return func(x, y float64) float64 {
		s := 0.0
		for _, m := range means {
			dx, dy := x-m[0], y-m[1]
			s += math.Exp(-(dx*dx + dy*dy) / (2 * 0.04))
		}
		return s
	}
}

func uploadF32(t testing.TB, d *vk.Device, v []float32) *vk.Buffer {
	t.Helper()
	b, err := d.NewBufferF32(len(v))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Upload(v); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Free)
	return b
}

func newRenderer(t testing.TB, d *vk.Device, w, h int, opts RenderOptions) *Renderer {
	t.Helper()
	r, err := NewRenderer(d, w, h, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func render(t testing.TB, r *Renderer, f *Frame) *image.RGBA {
	t.Helper()
	if err := r.Render(f); err != nil {
		t.Fatal(err)
	}
	img, err := r.Image()
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// savePNG keeps a picture in $SDEVK_VIEWER_PNG, when set, for a person to look at.
func savePNG(t testing.TB, name string, img image.Image) {
	if dir := os.Getenv("SDEVK_VIEWER_PNG"); dir != "" {
		if err := SavePNG(filepath.Join(dir, name), img); err != nil {
			t.Error(err)
		}
	}
}

func luma(img *image.RGBA, x, y int) float64 {
	i := img.PixOffset(x, y)
	p := img.Pix[i : i+3]
	return 0.2126*float64(p[0]) + 0.7152*float64(p[1]) + 0.0722*float64(p[2])
}

// patch is the mean luma of the (2r+1)^2 pixels around (x, y).
func patch(img *image.RGBA, x, y, r int) float64 {
	s, n := 0.0, 0
	b := img.Bounds()
	for j := y - r; j <= y+r; j++ {
		for i := x - r; i <= x+r; i++ {
			if image.Pt(i, j).In(b) {
				s += luma(img, i, j)
				n++
			}
		}
	}
	return s / float64(n)
}

// toPixel maps data coordinates to pixels for bounds fitted to w x h.
func toPixel(b Bounds, w, h int, x, y float64) (int, int) {
	b = b.fit(w, h)
	return int((x - b.XMin) / (b.XMax - b.XMin) * float64(w)), int((b.YMax - y) / (b.YMax - b.YMin) * float64(h))
}

// CheckDistribution checks that img shows the mixture: not blank, not
// uniform, brighter at the modes than at the centre and in the corners.
func checkDistribution(t testing.TB, img *image.RGBA, b Bounds, means [][2]float64) {
	t.Helper()
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	mean, sq := 0.0, 0.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			l := luma(img, x, y)
			mean += l
			sq += l * l
		}
	}
	n := float64(w * h)
	mean /= n
	sd := math.Sqrt(sq/n - mean*mean)
	if mean < 2 || sd < 5 {
		t.Fatalf("picture blank or uniform: mean luma %.1f, standard deviation %.1f", mean, sd)
	}
	cx, cy := toPixel(b, w, h, 0, 0)
	centre := patch(img, cx, cy, 4)
	corner := patch(img, w/8, h-h/8, 4)
	for _, m := range means {
		x, y := toPixel(b, w, h, m[0], m[1])
		if at := patch(img, x, y, 2); at < centre+40 || at < corner+40 {
			t.Errorf("mode (%.2f, %.2f) at pixel (%d, %d): luma %.1f, centre %.1f, corner %.1f", m[0], m[1], x, y, at, centre, corner)
		}
	}
}

func TestRenderMixture(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := vktest.Open(t, vk.Options{ForceStaging: staging})
		pts, means := mixture(10000, 1)
		buf := uploadF32(t, d, pts)
		r := newRenderer(t, d, 320, 240, RenderOptions{})
		r.SetBackground(mixtureDensity(means))
		f := &Frame{Points: buf, N: 10000, D: 2, Time: 0.532, Step: 120, Steps: 1000, NFE: 240, Label: "gmm8 vp-sde"}
		img := render(t, r, f)
		checkDistribution(t, img, f.Bounds, means)
		if !staging {
			if err := SavePNG(filepath.Join(t.TempDir(), "frame.png"), img); err != nil {
				t.Fatal(err)
			}
			savePNG(t, "headless.png", img)
		}
		// A second frame of other points reuses the recording and changes the picture.
		shifted := make([]float32, len(pts))
		for i := range pts {
			shifted[i] = pts[i] * 0.05
		}
		if err := buf.Upload(shifted); err != nil {
			t.Fatal(err)
		}
		img2 := render(t, r, f)
		cx, cy := toPixel(f.Bounds, 320, 240, 0, 0)
		if patch(img2, cx, cy, 3) < patch(img, cx, cy, 3)+40 {
			t.Errorf("shrunk cloud does not brighten the centre: %.1f vs %.1f", patch(img2, cx, cy, 3), patch(img, cx, cy, 3))
		}
	}
}

func TestFontRenders(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	buf := uploadF32(t, d, []float32{100, 100}) // off screen
	r := newRenderer(t, d, 300, 60, RenderOptions{TextScale: 1})
	text := "t=0.532 step 120/1000 NFE 240"
	img := render(t, r, &Frame{Points: buf, N: 1, D: 2, Text: text})
	on, wrong := 0, 0
	for ci := 0; ci < len(text); ci++ {
		for gy := 0; gy < glyphH; gy++ {
			for gx := 0; gx < glyphW; gx++ {
				// Line 0 starts at (4, 4) with a one-pixel margin.
				x, y := 5+ci*glyphAdv+gx, 5+gy
				white := luma(img, x, y) > 200
				if Glyph(text[ci], gx, gy) {
					on++
				}
				if white != Glyph(text[ci], gx, gy) {
					wrong++
				}
			}
		}
	}
	if on < 100 || wrong > 0 {
		t.Errorf("text: %d glyph pixels, %d pixels differ from the font", on, wrong)
	}
	if !Glyph('0', 1, 3) && !Glyph('0', 2, 2) {
		t.Error("glyph '0' looks empty")
	}
}

func TestSwizzle(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	pts, means := mixture(2000, 2)
	buf := uploadF32(t, d, pts)
	r := newRenderer(t, d, 64, 48, RenderOptions{Colormap: "viridis"})
	r.SetBackground(mixtureDensity(means))
	f := &Frame{Points: buf, N: 2000, D: 2, Loss: []float32{3, 2, 1.5, 1.2, 1.1}}
	rgba := render(t, r, f)
	raw := func() []byte {
		if err := r.Wait(); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64*48*4)
		if err := r.Output().Read(0, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	rawRGBA := raw()
	r.SetBGRA(true)
	bgraImg := render(t, r, f)
	rawBGRA := raw()
	coloured := 0
	for i := 0; i < len(rawRGBA); i += 4 {
		if rawBGRA[i] != rawRGBA[i+2] || rawBGRA[i+1] != rawRGBA[i+1] || rawBGRA[i+2] != rawRGBA[i] || rawBGRA[i+3] != 255 || rawRGBA[i+3] != 255 {
			t.Fatalf("pixel %d: RGBA % x, BGRA % x", i/4, rawRGBA[i:i+4], rawBGRA[i:i+4])
		}
		if rawRGBA[i] != rawRGBA[i+2] {
			coloured++
		}
		if bgraImg.Pix[i] != rgba.Pix[i] || bgraImg.Pix[i+2] != rgba.Pix[i+2] {
			t.Fatalf("Image() of a BGRA frame differs at pixel %d", i/4)
		}
	}
	if coloured == 0 {
		t.Fatal("no pixel has R != B: the swizzle test proves nothing")
	}
}

func TestLossCurveAndGrid(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	// Six 1 x 4 x 4 images: image k is uniform at level k/5 in [0, 1].
	var imgs []float32
	for k := 0; k < 6; k++ {
		for i := 0; i < 16; i++ {
			imgs = append(imgs, float32(k)/5)
		}
	}
	buf := uploadF32(t, d, imgs)
	r := newRenderer(t, d, 120, 90, RenderOptions{})
	loss := make([]float32, 1000)
	for i := range loss {
		loss[i] = float32(2 * math.Exp(-float64(i)/200))
	}
	grid := &Frame{Points: buf, N: 6, D: 16, Image: &ImageShape{C: 1, H: 4, W: 4, Lo: 0, Hi: 1}, Label: "grid"}
	img := render(t, r, grid)
	savePNG(t, "grid.png", img)
	cols, scale, shown := gridLayout(120, 90, 6, ImageShape{C: 1, H: 4, W: 4})
	if shown != 6 {
		t.Fatalf("grid shows %d of 6 images", shown)
	}
	tile := 4*scale + 2
	for k := 0; k < 6; k++ {
		// The last pixel row of each tile lies below the text box.
		x, y := (k%cols)*tile+4*scale-1, (k/cols)*tile+4*scale-1
		if y < 20 {
			t.Fatalf("tile %d ends at row %d, inside the text box", k, y)
		}
		i := img.PixOffset(x, y)
		want := math.Round(255 * float64(k) / 5)
		if got := float64(img.Pix[i]); math.Abs(got-want) > 1 {
			t.Errorf("image %d at (%d, %d): grey %v, want %v", k, x, y, got, want)
		}
	}
	// The loss panel (bottom right) holds orange curve pixels.
	grid.Loss = loss
	img = render(t, r, grid)
	savePNG(t, "loss.png", img)
	orange := 0
	for y := 90 - 90/5 - 8; y < 90-8; y++ {
		for x := 120 - 120/3 - 8; x < 120-8; x++ {
			i := img.PixOffset(x, y)
			if img.Pix[i] > 200 && img.Pix[i+1] > 150 && img.Pix[i+1] < 220 && img.Pix[i+2] < 100 {
				orange++
			}
		}
	}
	if orange < 20 {
		t.Errorf("loss curve: %d curve pixels", orange)
	}
}

func TestPrincipalAxes(t *testing.T) {
	// The mixture embedded in 6 dimensions along two orthonormal directions, plus small noise.
	const n, dim = 4000, 6
	pts, means := mixture(n, 3)
	e1 := []float64{0.5, 0.5, 0.5, 0.5, 0, 0}
	e2 := []float64{0.5, -0.5, 0.5, -0.5, 0, 0}
	rng := rand.New(rand.NewPCG(4, 4))
	x := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		for k := 0; k < dim; k++ {
			x[i*dim+k] = float32(float64(pts[2*i])*e1[k]+float64(pts[2*i+1])*e2[k]+0.05*rng.NormFloat64()) + 1
		}
	}
	d := vktest.Open(t, vk.Options{})
	buf := uploadF32(t, d, x)
	p, b, err := PrincipalAxesOf(buf, n, dim, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// U and V must span the plane of e1, e2.
	for _, v := range [][]float32{p.U, p.V} {
		a, c := 0.0, 0.0
		for k := range v {
			a += float64(v[k]) * e1[k]
			c += float64(v[k]) * e2[k]
		}
		if a*a+c*c < 0.98 {
			t.Errorf("principal direction %v is not in the plane (%.3f)", v, a*a+c*c)
		}
	}
	r := newRenderer(t, d, 200, 200, RenderOptions{})
	img := render(t, r, &Frame{Points: buf, N: n, D: dim, Projection: p, Bounds: b})
	// The ring of eight modes shows: the projected means are bright, the centre dark.
	var pm [][2]float64
	for _, m := range means {
		var pt [dim]float32
		for k := range pt {
			pt[k] = float32(m[0]*e1[k]+m[1]*e2[k]) + 1
		}
		u, v := project(pt[:], [2]int{}, p)
		pm = append(pm, [2]float64{u, v})
	}
	savePNG(t, "pca.png", img)
	checkDistribution(t, img, b, pm)
	// Two chosen coordinates of the same data render too.
	if _, err := func() (*image.RGBA, error) {
		if err := r.Render(&Frame{Points: buf, N: n, D: dim, Axes: [2]int{0, 1}}); err != nil {
			return nil, err
		}
		return r.Image()
	}(); err != nil {
		t.Fatal(err)
	}
}

func TestFrameErrors(t *testing.T) {
	d := vktest.Open(t, vk.Options{})
	buf := uploadF32(t, d, make([]float32, 8))
	r := newRenderer(t, d, 16, 16, RenderOptions{})
	for _, f := range []*Frame{
		{N: 1, D: 2},
		{Points: buf, N: 5, D: 2},
		{Points: buf, N: 1, D: 2, Axes: [2]int{0, 2}},
		{Points: buf, N: 2, D: 4, Image: &ImageShape{C: 2, H: 1, W: 2}},
		{Points: buf, N: 2, D: 4, Projection: &Projection{Mean: make([]float32, 3)}},
	} {
		if err := r.Render(f); err == nil {
			t.Errorf("frame %+v rendered without error", f)
		}
	}
	if _, err := Colormap("nope"); err == nil {
		t.Error("unknown colour map accepted")
	}
}

// BenchmarkRender10k measures the render cost of a frame of a 10,000-point
// cloud, 800 x 600, with background, text and loss overlays (queue, run,
// wait; no download).
func BenchmarkRender10k(b *testing.B) {
	d := vktest.Open(b, vk.Options{})
	pts, means := mixture(10000, 5)
	buf := uploadF32(b, d, pts)
	r := newRenderer(b, d, 800, 600, RenderOptions{Profile: true})
	r.SetBackground(mixtureDensity(means))
	f := &Frame{Points: buf, N: 10000, D: 2, Steps: 1000, Loss: []float32{3, 2, 1}}
	if err := r.Render(f); err != nil {
		b.Fatal(err)
	}
	best := map[string]float64{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Step, f.NFE = i, 2*i
		if err := r.Render(f); err != nil {
			b.Fatal(err)
		}
		if err := r.Wait(); err != nil {
			b.Fatal(err)
		}
		tm, _ := r.Timings()
		for _, k := range tm {
			if ms := k.GPU.Seconds() * 1e3; best[k.Kernel] == 0 || ms < best[k.Kernel] {
				best[k.Kernel] = ms
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	for k, ms := range best {
		b.ReportMetric(ms, k+"-min-ms")
	}
}

// A grid with Cols set keeps that many images per row (input | masked |
// results) at the largest scale that fits, and as many as fit in a frame
// too narrow for them.
func TestGridLayoutColumns(t *testing.T) {
	for _, c := range []struct {
		w, h, n, cols                  int
		wantCols, wantScale, wantShown int
	}{
		{120, 90, 6, 0, 3, 9, 6},  // fitted: 3 x 2 at scale 9
		{120, 90, 6, 6, 6, 4, 6},  // one row of 6: scale 4 (6 x 18 <= 120)
		{120, 90, 6, 2, 2, 7, 6},  // 2 x 3: rows of 30 pixels fit 90
		{20, 90, 6, 6, 3, 1, 6},   // too narrow for 6: 3 per row
		{120, 12, 12, 4, 4, 1, 8}, // too low for 3 rows: the first 2 rows
	} {
		cols, scale, shown := gridLayout(c.w, c.h, c.n, ImageShape{C: 1, H: 4, W: 4, Cols: c.cols})
		if cols != c.wantCols || scale != c.wantScale || shown != c.wantShown {
			t.Errorf("%d x %d frame, %d images, Cols %d: cols %d scale %d shown %d, want %d %d %d",
				c.w, c.h, c.n, c.cols, cols, scale, shown, c.wantCols, c.wantScale, c.wantShown)
		}
	}
}
