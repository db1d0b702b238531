package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/sde/sampling"
	"github.com/sdevk/sdevk/viewer"
	"github.com/sdevk/sdevk/vk"
)

// --view on inpaint and colorize opens the image-grid viewer, as sample
// --view does: without the viewer build that is one line naming the build
// to make; the reference device is refused first.
func TestImageControlView(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyCheckpoint(t, dir, 3)
	imgs := filepath.Join(dir, "in.npy")
	writeTestImages(t, imgs, 2, 3)
	for _, cmd := range []string{"inpaint", "colorize"} {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--view"}, "--view: viewer:"},
			{[]string{"--view", "--device", "cpu-reference"}, "--view: the viewer draws from a Vulkan device"},
		} {
			args := append([]string{cmd, "--checkpoint", ckpt, "--data", imgs, "--n", "1", "--out", filepath.Join(dir, "o.npy")}, c.args...)
			code, _, errs := runCmd(t, args...)
			if code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Errorf("%s %v: exit %d, stderr %q; want 2 and one line containing %q", cmd, c.args, code, errs, c.want)
			}
		}
	}
}

// The viewer's rows are input | given | samples: the fixed panels in the
// model's range, and each frame's samples copied into their places on the
// device.
func TestControlPanels(t *testing.T) {
	const n, per, c, h, w = 2, 3, 1, 2, 2
	const d = c * h * w
	mask, err := data.ParseMask("left-half", data.MaskFor{N: n, C: c, H: h, W: w})
	if err != nil {
		t.Fatal(err)
	}
	job := sampling.ImageControl{C: c, H: h, W: w, Images: []float64{0, 0.25, 0.5, 1, 1, 0.5, 0.25, 0}, Mask: mask, PerImage: per, Centered: true}
	fixed := controlPanels(job)
	// Centred: v -> 2v - 1; the masked panel is grey 0.5 (0) where generated.
	want := []float32{-1, -0.5, 0, 1, -1, 0, 0, 0, 1, 0, -0.5, -1, 1, 0, -0.5, 0}
	if !slices.Equal(fixed, want) {
		t.Fatalf("panels %v, want %v", fixed, want)
	}

	dev := vktest.Open(t, vk.Options{})
	v := &viewSession{dev: dev, frame: viewer.Frame{Image: &viewer.ImageShape{C: c, H: h, W: w}}}
	defer func() {
		v.panels.copy.Destroy()
		v.last.Free()
	}()
	if err := v.setPanels(fixed, n, per); err != nil {
		t.Fatal(err)
	}
	if v.frame.Image.Cols != 2+per || v.frame.N != n*(2+per) || v.frame.Points != v.last {
		t.Fatalf("frame of %d images in rows of %d, want %d in rows of %d", v.frame.N, v.frame.Image.Cols, n*(2+per), 2+per)
	}
	samples := make([]float32, n*per*d)
	for i := range samples {
		samples[i] = float32(100 + i)
	}
	x, err := dev.NewBufferF32(len(samples))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Free()
	if err := x.Upload(samples); err != nil {
		t.Fatal(err)
	}
	if err := v.panels.place(x, v.last, d); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, n*(2+per)*d)
	if err := v.last.Download(got); err != nil {
		t.Fatal(err)
	}
	for row := 0; row < n; row++ {
		r := got[row*(2+per)*d : (row+1)*(2+per)*d]
		if !slices.Equal(r[:2*d], fixed[row*2*d:(row+1)*2*d]) || !slices.Equal(r[2*d:], samples[row*per*d:(row+1)*per*d]) {
			t.Errorf("row %d: %v, want the fixed %v then the samples %v", row, r, fixed[row*2*d:(row+1)*2*d], samples[row*per*d:(row+1)*per*d])
		}
	}

	// The held frame shows the results as written, in [0, 1], mapped to
	// the model's range.
	res := make([]float32, n*per*d)
	for i := range res {
		res[i] = float32(i%5) / 4
	}
	if err := v.showResults(res, true); err != nil {
		t.Fatal(err)
	}
	if err := v.last.Download(got); err != nil {
		t.Fatal(err)
	}
	for row := 0; row < n; row++ {
		r := got[row*(2+per)*d : (row+1)*(2+per)*d]
		for i, g := range r[2*d:] {
			if want := 2*res[row*per*d+i] - 1; g != want {
				t.Fatalf("row %d, result value %d: %g, want %g", row, i, g, want)
			}
		}
		if !slices.Equal(r[:2*d], fixed[row*2*d:(row+1)*2*d]) {
			t.Errorf("row %d: the fixed panels changed to %v", row, r[:2*d])
		}
	}
}
