//go:build viewer

package viewer

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/sdevk/sdevk/vk"
)

// openWindow opens a viewer window for t, skipping without a display.
func openWindow(t testing.TB, w, h int, opts WindowOptions) (*Window, *vk.Device) {
	t.Helper()
	if err := CheckDisplay(); err != nil {
		t.Skipf("no display, skipping the window test (run it as: xvfb-run -a -s \"-screen 0 1024x768x24\" go test -tags viewer ./viewer/): %v", err)
	}
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	if opts.Device.CacheDir == "" {
		opts.Device.CacheDir = t.TempDir()
	}
	before := len(vk.ValidationMessages())
	win, dev, err := Open("sdevk viewer test", w, h, opts)
	if err != nil {
		if strings.Contains(err.Error(), "libvulkan.so.1") || strings.Contains(err.Error(), "no Vulkan") {
			t.Skipf("no Vulkan: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		win.Close()
		if msgs := vk.ValidationMessages()[before:]; len(msgs) > 0 {
			t.Errorf("%d validation messages, the first: %s", len(msgs), msgs[0])
		}
	})
	return win, dev
}

func readPNG(t testing.TB, path string) *image.RGBA {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

// TestWindowShowsSampling plays a run that turns noise into the mixture in 30
// frames, presented through the swapchain, and checks screenshots.
func TestWindowShowsSampling(t *testing.T) {
	const w, h, n, frames = 480, 360, 10000, 30
	win, dev := openWindow(t, w, h, WindowOptions{SaveDir: t.TempDir()})
	_, means := mixture(1, 7)
	oracle := newOracle(means, 0.2, n, 7)
	buf, err := dev.NewBufferF32(2 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Free()
	win.Renderer().SetBackground(mixtureDensity(means))
	f := &Frame{Points: buf, N: n, D: 2, Steps: 2 * frames, Label: "gmm8 oracle score, VP-SDE, Euler-Maruyama"}
	start := time.Now()
	for s := 1; s <= frames; s++ {
		// Two reverse-SDE steps per frame, on the host: the upload stands in
		// for the sampler's kernels writing the samples on the device.
		oracle.step()
		oracle.step()
		if err := win.Renderer().Wait(); err != nil {
			t.Fatal(err)
		}
		if err := buf.Upload(oracle.x); err != nil {
			t.Fatal(err)
		}
		f.Time, f.Step, f.NFE = oracle.t, oracle.steps, oracle.steps
		if err := win.Show(f); err != nil {
			t.Fatal(err)
		}
		if ev := win.Poll(); ev.Closed {
			t.Fatal("window closed by itself")
		}
		if s == frames*7/8 {
			if path := os.Getenv("SDEVK_VIEWER_DOCS"); path != "" {
				if err := win.SavePNG(path); err != nil {
					t.Fatal(err)
				}
			}
			savePNG(t, "window-mid.png", mustImage(t, win.Renderer()))
		}
	}
	elapsed := time.Since(start)
	t.Logf("%d frames of %d points at %dx%d in %v: %.1f frames/s (%s, with a host upload per frame)", frames, n, w, h, elapsed, frames/elapsed.Seconds(), win.PresentMode())
	if win.Frames() < frames-2 {
		t.Errorf("presented %d of %d frames", win.Frames(), frames)
	}
	// The viewer's own screenshot, through the S key.
	win.onKey(win.win, glfw.KeyS, 0, glfw.Press, 0)
	ev := win.Poll()
	if ev.SaveErr != nil || ev.Saved == "" {
		t.Fatalf("S: saved %q, %v", ev.Saved, ev.SaveErr)
	}
	shot := readPNG(t, ev.Saved)
	savePNG(t, "window.png", shot)
	checkDistribution(t, shot, f.Bounds, means)

	// The X server's screenshot, when ImageMagick is there: without a window
	// manager the window sits at the top left of the root window.
	if _, err := exec.LookPath("import"); err == nil {
		if err := win.Show(f); err != nil { // present once more and let it reach the screen
			t.Fatal(err)
		}
		win.Poll()
		time.Sleep(200 * time.Millisecond)
		root := filepath.Join(t.TempDir(), "root.png")
		if out, err := exec.Command("import", "-window", "root", root).CombinedOutput(); err != nil {
			t.Logf("import -window root failed, skipping the X screenshot: %v %s", err, out)
		} else {
			scr := readPNG(t, root)
			savePNG(t, "root.png", scr)
			x0, y0 := win.win.GetPos()
			crop := image.NewRGBA(image.Rect(0, 0, w, h))
			draw.Draw(crop, crop.Bounds(), scr, image.Pt(x0, y0), draw.Src)
			diff := 0.0
			for i := 0; i < len(crop.Pix); i += 4 {
				for c := 0; c < 3; c++ {
					diff += math.Abs(float64(crop.Pix[i+c]) - float64(shot.Pix[i+c]))
				}
			}
			diff /= float64(3 * w * h)
			t.Logf("X screenshot vs the viewer's PNG: mean |difference| %.2f of 255", diff)
			if diff > 8 {
				t.Errorf("the screen does not show the frame: mean |difference| %.1f", diff)
			}
			checkDistribution(t, crop, f.Bounds, means)
		}
	}

	// Keys.
	win.onKey(win.win, glfw.KeySpace, 0, glfw.Press, 0)
	if ev := win.Poll(); !ev.Paused || !ev.PauseToggled {
		t.Errorf("space: %+v", ev)
	}
	win.onKey(win.win, glfw.KeySpace, 0, glfw.Press, 0)
	win.onKey(win.win, glfw.KeyR, 0, glfw.Press, 0)
	if ev := win.Poll(); ev.Paused || !ev.Restart {
		t.Errorf("space, R: %+v", ev)
	}

	// Resize: the swapchain and the renderer follow the new size.
	win.win.SetSize(320, 200)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		win.Poll()
		if err := win.Show(f); err != nil {
			t.Fatal(err)
		}
		if rw, rh := win.Renderer().Size(); rw == 320 && rh == 200 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rw, rh := win.Renderer().Size(); rw != 320 || rh != 200 {
		t.Errorf("after resizing to 320x200 the frame is %dx%d", rw, rh)
	}
	img, err := win.Renderer().Image()
	if err != nil {
		t.Fatal(err)
	}
	checkDistribution(t, img, f.Bounds, means)

	win.onKey(win.win, glfw.KeyEscape, 0, glfw.Press, 0)
	if ev := win.Poll(); !ev.Closed {
		t.Errorf("Esc did not close: %+v", ev)
	}
}

func mustImage(t testing.TB, r *Renderer) *image.RGBA {
	img, err := r.Image()
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// oracle runs the reverse VP-SDE (beta from 0.1 to 20) of a mixture of
// isotropic Gaussians of standard deviation s with its exact score, by
// Euler-Maruyama on the host: a stand-in for sdevk's sampler.
type oracle struct {
	means [][2]float64
	s     float64
	x     []float32
	t, dt float64
	steps int
	rng   *rand.Rand
}

func newOracle(means [][2]float64, s float64, n int, seed uint64) *oracle {
	o := &oracle{means: means, s: s, x: make([]float32, 2*n), t: 1, dt: 1.0 / 60, rng: rand.New(rand.NewPCG(seed, 9))}
	for i := range o.x {
		o.x[i] = float32(o.rng.NormFloat64())
	}
	return o
}

func (o *oracle) step() {
	const b0, b1 = 0.1, 20.0
	t := o.t
	beta := b0 + t*(b1-b0)
	alpha := math.Exp(-0.25*t*t*(b1-b0) - 0.5*t*b0)
	v := alpha*alpha*o.s*o.s + 1 - alpha*alpha
	dt := math.Min(o.dt, t-1e-3)
	w := make([]float64, len(o.means))
	for i := 0; i < len(o.x); i += 2 {
		x, y := float64(o.x[i]), float64(o.x[i+1])
		best := math.Inf(-1)
		for k, m := range o.means {
			dx, dy := x-alpha*m[0], y-alpha*m[1]
			w[k] = -(dx*dx + dy*dy) / (2 * v)
			best = math.Max(best, w[k])
		}
		sum, sx, sy := 0.0, 0.0, 0.0
		for k, m := range o.means {
			e := math.Exp(w[k] - best)
			sum += e
			sx += e * (alpha*m[0] - x) / v
			sy += e * (alpha*m[1] - y) / v
		}
		sx, sy = sx/sum, sy/sum
		sd := math.Sqrt(beta * dt)
		o.x[i] = float32(x + (0.5*beta*x+beta*sx)*dt + sd*o.rng.NormFloat64())
		o.x[i+1] = float32(y + (0.5*beta*y+beta*sy)*dt + sd*o.rng.NormFloat64())
	}
	o.t -= dt
	o.steps++
}

func TestOpenWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	_, _, err := OpenWindow("x", 10, 10, WindowOptions{})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "no display") {
		t.Fatalf("want a one-line no-display error, got %v", err)
	}
}

// BenchmarkWindow10k presents frames of a 10,000-point cloud that stays on the
// device (no upload), 800 x 600, FIFO unless SDEVK_PRESENT_MODE says otherwise.
func BenchmarkWindow10k(b *testing.B) {
	win, dev := openWindow(b, 800, 600, WindowOptions{PresentMode: os.Getenv("SDEVK_PRESENT_MODE")})
	pts, means := mixture(10000, 9)
	buf, err := dev.NewBufferF32(len(pts))
	if err != nil {
		b.Fatal(err)
	}
	defer buf.Free()
	if err := buf.Upload(pts); err != nil {
		b.Fatal(err)
	}
	win.Renderer().SetBackground(mixtureDensity(means))
	f := &Frame{Points: buf, N: 10000, D: 2, Steps: 1000, Label: "benchmark"}
	if err := win.Show(f); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Step = i
		if err := win.Show(f); err != nil {
			b.Fatal(err)
		}
		win.Poll()
	}
	if err := win.waitFrame(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
