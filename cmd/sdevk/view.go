package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/viewer"
	"github.com/sdevk/sdevk/vk"
)

// viewSession is an open viewer window showing a run.
type viewSession struct {
	disp   viewer.Display
	dev    *vk.Device
	frame  viewer.Frame
	closed bool
	// last holds a copy of the final samples, shown by holdFinal after the
	// sampler (and its buffers) is gone.
	last *vk.Buffer
	// shown is when the last frame was drawn; frames are spaced by
	// frameInterval so that drawing (compute shaders on the same device)
	// costs the run little.
	shown time.Time
	// panels, when set, lays the samples out among fixed images in last.
	panels *panels
}

// frameInterval spaces a running sampler's frames. On lavapipe a 800x800
// frame costs about 20 ms of the same cores the sampler uses; 5 frames a
// second keep the viewer's share of the run's time near a tenth.
const frameInterval = 200 * time.Millisecond

// openView opens the viewer on the device named by device, with the data's
// exact density (or a histogram of its samples) faintly behind.
func openView(title, device string, ds data.Dataset) (*viewSession, error) {
	v, err := openWindow(title, device)
	if err != nil {
		return nil, err
	}
	disp := v.disp
	d := ds.Dim()
	ref := ds.Sample(4000, rand.New(rand.NewPCG(7, 7)))
	pts := make([]float32, len(ref))
	for i, x := range ref {
		pts[i] = float32(x)
	}
	var proj *viewer.Projection
	if d > 2 {
		if proj, v.frame.Bounds, err = viewer.PrincipalAxes(pts, len(ref)/d, d); err != nil {
			v.close()
			return nil, err
		}
		v.frame.Projection = proj
	} else {
		v.frame.Bounds = viewer.FitBounds(pts, len(ref)/d, d, [2]int{0, 1}, nil)
	}
	if m, ok := ds.(data.Mixture); ok && d == 2 {
		g := m.GMM()
		lp := make([]float64, 1)
		disp.Renderer().SetBackground(func(x, y float64) float64 {
			g.LogProb([]float64{x, y}, lp)
			return math.Exp(lp[0])
		})
	} else {
		disp.Renderer().SetBackgroundPoints(pts, d, [2]int{0, 1}, proj)
	}
	// A first frame (the data's own points) draws the background, which is
	// computed on the host once, before the run starts.
	if err := v.keep(nil, 0); err != nil {
		v.close()
		return nil, err
	}
	if err := v.last.Upload(pts[:min(len(pts), 2000*d)]); err != nil {
		v.close()
		return nil, err
	}
	v.frame.Points, v.frame.N, v.frame.D = v.last, min(len(pts)/d, 2000), d
	v.frame.Text = "data"
	if err := disp.Show(&v.frame); err != nil {
		v.close()
		return nil, err
	}
	v.frame.Text = ""
	return v, nil
}

// openWindow opens the viewer's window on the device named by device; what
// is missing for it (the viewer build, a display) is a usage error.
func openWindow(title, device string) (*viewSession, error) {
	if !viewer.Available() {
		return nil, usagef("--view: %v", viewer.ErrNoViewer)
	}
	if err := viewer.CheckDisplay(); err != nil {
		return nil, usagef("--view: %v", err)
	}
	disp, dev, err := viewer.OpenWindow(title, 800, 800, viewer.WindowOptions{Device: vk.Options{Device: device}})
	if err != nil {
		return nil, usagef("--view: %v", err)
	}
	return &viewSession{disp: disp, dev: dev}, nil
}

// openImageView opens the viewer for image samples: a live grid of the
// batch, values in [lo, hi] shown black..white (the model's data range).
func openImageView(title, device string, im viewer.ImageShape) (*viewSession, error) {
	v, err := openWindow(title, device)
	if err != nil {
		return nil, err
	}
	v.frame.Image = &im
	if err := v.keep(nil, im.C*im.H*im.W); err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

// viewerImages is the viewer's frame shape for images of geometry im, in
// the model's range: [-1, 1] when centred, else [0, 1].
func viewerImages(im sampling.Images) viewer.ImageShape {
	lo := float32(0)
	if im.Centered {
		lo = -1
	}
	return viewer.ImageShape{C: im.C, H: im.H, W: im.W, Lo: lo, Hi: 1}
}

// backend is a Vulkan backend on the viewer's device that shows the run's
// n samples of d values every chunk of steps (the viewer gets the whole run
// as one batch).
func (v *viewSession) backend(n, d int) *sampling.Device {
	return &sampling.Device{Dev: v.dev, Chunk: 10, OnChunk: func(x *vk.Buffer, t float64, done, steps, nfe int) error {
		return v.show(x, n, d, t, done, steps, nfe)
	}}
}

// repeat runs run (which writes the outputs), then holds the final frame
// until the window closes; R runs it again with the next seed. Without a
// viewer (v nil) it runs once.
func (v *viewSession) repeat(seed *uint64, run func() error) error {
	for {
		if err := run(); err != nil || v == nil {
			return err
		}
		if err := v.holdFinal(); !errors.Is(err, sampling.ErrRestart) {
			return err
		}
		*seed++
	}
}

// show draws the points without ever waiting for the window (a frame still
// in flight is dropped) and handles the keys: space pauses, R restarts,
// closing the window stops the viewing but not the run.
func (v *viewSession) show(x *vk.Buffer, n, d int, t float64, done, steps, nfe int) error {
	if v.closed {
		return nil
	}
	if done < steps && time.Since(v.shown) < frameInterval {
		return nil
	}
	v.shown = time.Now()
	f := &v.frame
	f.Points, f.N, f.D, f.Time, f.Step, f.Steps, f.NFE = x, n, d, t, done, steps, nfe
	switch {
	case v.panels != nil:
		f.Points, f.N = v.last, v.panels.images()
		if err := v.panels.place(x, v.last, d); err != nil {
			return err
		}
	case done == steps: // the final samples outlive the sampler's buffers
		if err := v.keep(x, n*d); err != nil {
			return err
		}
	}
	if _, err := v.disp.TryShow(f); err != nil {
		return err
	}
	ev := v.disp.Poll()
	if ev.Paused && !ev.Closed {
		ev = v.disp.WaitWhilePaused(f)
	}
	switch {
	case ev.Closed:
		v.closed = true
	case ev.Restart:
		return sampling.ErrRestart
	}
	return nil
}

// keep copies the final samples into the session's own buffer (x nil: only
// make room for size values, at least 2000 points' worth).
func (v *viewSession) keep(x *vk.Buffer, size int) error {
	host := make([]float32, size)
	if x != nil {
		if err := x.Download(host); err != nil {
			return err
		}
	}
	if v.last == nil || v.last.Len() < max(size, 4000*8) {
		v.last.Free()
		b, err := v.dev.NewBufferF32(max(size, 4000*8))
		if err != nil {
			return err
		}
		v.last = b
	}
	v.frame.Points = v.last
	return v.last.Upload(host)
}

// holdFinal shows the last frame until the window is closed or R restarts
// (sampling.ErrRestart).
func (v *viewSession) holdFinal() error {
	if v.closed || v.last == nil {
		return nil
	}
	v.frame.Text = fmt.Sprintf("done, NFE %d. R: new seed  S: save  Esc: quit", v.frame.NFE)
	defer func() { v.frame.Text = "" }()
	for {
		if err := v.disp.Show(&v.frame); err != nil {
			return err
		}
		ev := v.disp.Poll()
		switch {
		case ev.Closed:
			v.closed = true
			return nil
		case ev.Restart:
			return sampling.ErrRestart
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (v *viewSession) close() {
	if v.panels != nil {
		v.panels.copy.Destroy()
	}
	v.last.Free()
	if v.disp != nil {
		v.disp.Close() // closes the device too
	}
}
