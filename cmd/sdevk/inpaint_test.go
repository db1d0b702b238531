package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/sde/sampling"
)

// tinyControlConfig is an NCSN++ of nf 8 on 8x8 images of %d channels in
// [-1, 1], VP SDE, 12 PC steps.
const tinyControlConfig = `seed = 5
[training]
sde = "vpsde"
continuous = true
[data]
dataset = "CIFAR10"
image_size = 8
num_channels = %d
centered = true
[model]
name = "ncsnpp"
nf = 8
ch_mult = [1, 2]
num_res_blocks = 1
attn_resolutions = [4]
num_scales = 12
beta_max = 10
[sampling]
method = "pc"
predictor = "euler_maruyama"
corrector = "none"
`

// writeTinyCheckpoint saves the tiny U-Net of tinyControlConfig with random
// weights as an sdevk checkpoint and returns its path.
func writeTinyCheckpoint(t *testing.T, dir string, channels int) string {
	t.Helper()
	text := strings.Replace(tinyControlConfig, "%d", string(rune('0'+channels)), 1)
	c, err := config.Parse("tiny.toml", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := sampling.NetworkFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, uint64(channels)))
	ck := checkpoint.New()
	ck.Meta["config"] = text
	for _, p := range net.Params() {
		n := 1
		for _, s := range p.Shape {
			n *= s
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.2)
		}
		ck.Tensors["params/"+p.Name] = checkpoint.Tensor{Shape: p.Shape, Data: v}
	}
	path := filepath.Join(dir, "tiny"+string(rune('0'+channels))+".safetensors")
	if err := checkpoint.Save(path, ck); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeTestImages writes n random RGB 8x8 images in [0, 1] to a .npy.
func writeTestImages(t *testing.T, path string, n, c int) []float32 {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, n*c*64)
	for i := range x {
		x[i] = float32(r.IntN(256)) / 255
	}
	if err := saveArray(path, []int{n, c, 8, 8}, x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestInpaintAndColorizeCommands: the outputs have the right shapes and
// files, the known pixels are the inputs' and colourisation keeps their
// grey levels.
func TestInpaintAndColorizeCommands(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyCheckpoint(t, dir, 3)
	imgs := filepath.Join(dir, "in.npy")
	x := writeTestImages(t, imgs, 5, 3)
	const d = 3 * 64
	out := filepath.Join(dir, "inp.npy")
	mustRun(t, "inpaint", "--checkpoint", ckpt, "--data", imgs, "--first", "1", "--n", "3", "--n-per-image", "2", "--mask", "left-half", "--out", out)
	shape, got, err := loadArray(out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{6, 3, 8, 8}) {
		t.Fatalf("inpaint output of shape %v, want [6 3 8 8]", shape)
	}
	for s := 0; s < 6; s++ {
		img := 1 + s/2
		for c := 0; c < 3; c++ {
			for y := 0; y < 8; y++ {
				for xx := 0; xx < 4; xx++ {
					i := c*64 + y*8 + xx
					if math.Abs(float64(got[s*d+i]-x[img*d+i])) > 1e-6 {
						t.Fatalf("sample %d (image %d): known value %d is %g, the input %g", s, img, i, got[s*d+i], x[img*d+i])
					}
				}
			}
		}
	}
	for name, want := range map[string][]int{"inp_inputs.npy": {3, 3, 8, 8}, "inp_mask.npy": {1, 1, 8, 8}} {
		if shape, _, err := loadArray(filepath.Join(dir, name)); err != nil || !slices.Equal(shape, want) {
			t.Errorf("%s: shape %v (%v), want %v", name, shape, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "inp.png")); err != nil {
		t.Error(err)
	}

	out = filepath.Join(dir, "col.npy")
	mustRun(t, "colorize", "--checkpoint", ckpt, "--data", imgs, "--n", "2", "--out", out)
	shape, got, err = loadArray(out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{2, 3, 8, 8}) {
		t.Fatalf("colorize output of shape %v, want [2 3 8 8]", shape)
	}
	for n := 0; n < 2; n++ {
		for p := 0; p < 64; p++ {
			in := (x[n*d+p] + x[n*d+64+p] + x[n*d+128+p]) / 3
			res := (got[n*d+p] + got[n*d+64+p] + got[n*d+128+p]) / 3
			if math.Abs(float64(in-res)) > 1e-5 {
				t.Fatalf("image %d pixel %d: grey %g, the input's %g", n, p, res, in)
			}
		}
	}
	for _, v := range got {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("colorize value %g out of [0, 1]", v)
		}
	}
	for _, name := range []string{"col_inputs.npy", "col_grey.npy", "col.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}

	// Grey images are colourised with their level as the grey level.
	greyImgs := filepath.Join(dir, "grey.npy")
	levels := writeTestImages(t, greyImgs, 1, 1)
	mustRun(t, "colorize", "--checkpoint", ckpt, "--data", greyImgs, "--out", out)
	if shape, got, err = loadArray(out); err != nil || !slices.Equal(shape, []int{1, 3, 8, 8}) {
		t.Fatalf("colorize of a grey image: shape %v, %v", shape, err)
	}
	for p, v := range levels {
		if res := (got[p] + got[64+p] + got[128+p]) / 3; math.Abs(float64(res-v)) > 1e-5 {
			t.Fatalf("grey image pixel %d: grey %g, the input's %g", p, res, v)
		}
	}
}

// TestInpaintCommandErrors: bad input is one line, exit 2, nothing written.
func TestInpaintCommandErrors(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyCheckpoint(t, dir, 3)
	grey := writeTinyCheckpoint(t, dir, 1)
	imgs := filepath.Join(dir, "in.npy")
	writeTestImages(t, imgs, 4, 3)
	small := filepath.Join(dir, "small.npy")
	if err := saveArray(small, []int{2, 3, 6, 6}, make([]float32, 2*3*36)); err != nil {
		t.Fatal(err)
	}
	maskPath := filepath.Join(dir, "m.npy")
	if err := saveArray(maskPath, []int{4, 4}, make([]float32, 16)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "o.npy")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inpaint", "--data", imgs, "--mask", maskPath}, "m.npy: mask of shape (4, 4), the images are (N, C, H, W) = (4, 3, 8, 8)"},
		{[]string{"inpaint", "--data", imgs, "--mask", "middle"}, "--mask: mask \"middle\""},
		{[]string{"inpaint", "--data", small}, "images of shape (C, H, W) = (3, 6, 6), the model takes (3, 8, 8)"},
		{[]string{"inpaint", "--data", imgs, "--first", "3", "--n", "2"}, "--n: 2 images from 3 run past the 4"},
		{[]string{"inpaint", "--data", imgs, "--n-per-image", "0"}, "--n-per-image: must be >= 1"},
		{[]string{"inpaint", "--data", imgs, "--n", "1", "--sampler", "ode"}, "inpainting runs with pc or em"},
		{[]string{"colorize", "--data", imgs, "--n", "1", "--checkpoint", grey}, "colourisation needs an RGB (3-channel) model"},
		{[]string{"inpaint", "--data", "test", "--n", "1"}, "--data test"},
	} {
		args := append(append([]string{}, tc.args...), "--out", out)
		if !slices.Contains(args, "--checkpoint") {
			args = append(args, "--checkpoint", ckpt)
		}
		t.Setenv("SDEVK_DATA", dir) // no data set installed there
		code, _, errs := runCmd(t, args...)
		var lines []string
		for _, l := range strings.Split(errs, "\n") {
			if strings.HasPrefix(l, "sdevk") {
				lines = append(lines, l)
			}
		}
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
			t.Errorf("sdevk %s: exit %d, error lines %q; want exit 2 and one line with %q", strings.Join(tc.args, " "), code, lines, tc.want)
		}
		if entries, _ := filepath.Glob(filepath.Join(dir, "o*")); len(entries) > 0 {
			t.Errorf("sdevk %s wrote %v", strings.Join(tc.args, " "), entries)
		}
	}
}
