package main

import (
	"encoding/json"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/quality"
)

// tinyClassifierConfig is a noise-conditional classifier of
// tinyUNetTOML's 1x8x8 images in [-1, 1], with three classes.
func tinyClassifierConfig() model.ClassifierConfig {
	return model.ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 3,
		ImageSize: 8, NumChannels: 1, Centered: true, Conditional: true}
}

// writeTinyClassifier saves a classifier of c with random weights and the
// metadata meta under dir and returns its path.
func writeTinyClassifier(t *testing.T, dir, name string, c model.ClassifierConfig, meta map[string]string) string {
	t.Helper()
	net, err := model.NewClassifier(c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	w := map[string][]float32{}
	for _, p := range net.Params() {
		v := make([]float32, p.Size())
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.3)
		}
		w[p.Name] = v
	}
	path := filepath.Join(dir, name+".safetensors")
	if err := quality.SaveClassifier(path, net, w, meta); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSampleClassList: --class 0,2 with a trained classifier writes the
// two classes' samples class-major (class i's are samples First + i*n of
// the run, as a single-class run with --first shows), a grid of one row
// per class, and says so; guided samples differ from the unguided ones of
// the same index (scale 0 reproducing them exactly is checked in
// sde/sampling), and cpu-reference runs the guided sampler too.
func TestSampleClassList(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyUNet(t, dir)
	// Trained under the model's own SDE, as its saved config says.
	cls := writeTinyClassifier(t, dir, "cls", tinyClassifierConfig(), map[string]string{"config": tinyUNetTOML})
	out, grid := filepath.Join(dir, "x.npy"), filepath.Join(dir, "x.png")
	stdout := mustRun(t, "sample", "--checkpoint", ckpt, "--classifier", cls, "--class", "0,2", "--scale", "3", "--n", "3", "--out", out, "--png", grid)
	if !strings.Contains(stdout, "class-major: classes 0,2, 3 samples each; the grid has one row per class") {
		t.Errorf("output does not describe the layout:\n%s", stdout)
	}
	both := loadSamples(t, out, 6)
	side, err := os.ReadFile(data.SidecarPath(out))
	if err != nil {
		t.Fatal(err)
	}
	var shard data.Shard
	if err := json.Unmarshal(side, &shard); err != nil {
		t.Fatal(err)
	}
	if shard.N != 6 || !strings.Contains(shard.Sampler, "class-major: classes 0,2") {
		t.Errorf("sidecar %+v does not describe the class-major layout", shard)
	}
	f, err := os.Open(grid)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx()*2 < b.Dy()*3-b.Dy()/2 || b.Dx()*2 > b.Dy()*3+b.Dy()/2 {
		t.Errorf("grid of 2 classes x 3 is %dx%d pixels, want 3 columns and 2 rows", b.Dx(), b.Dy())
	}

	one := filepath.Join(dir, "one.npy")
	mustRun(t, "sample", "--checkpoint", ckpt, "--classifier", cls, "--class", "2", "--scale", "3", "--n", "3", "--first", "3", "--out", one)
	if got := loadSamples(t, one, 3); !slices.Equal(got, both[3*64:]) {
		t.Error("class 2's rows differ from a class-2 run of samples 3..5")
	}
	plain := filepath.Join(dir, "plain.npy")
	mustRun(t, "sample", "--checkpoint", ckpt, "--n", "6", "--out", plain)
	unguided := loadSamples(t, plain, 6)
	for i := range 6 {
		if slices.Equal(both[i*64:(i+1)*64], unguided[i*64:(i+1)*64]) {
			t.Errorf("scale 3: guided sample %d equals the unguided one", i)
		}
	}

	ref := filepath.Join(dir, "ref.npy")
	mustRun(t, "sample", "--checkpoint", ckpt, "--classifier", cls, "--class", "all", "--n", "1", "--steps", "2", "--device", "cpu-reference", "--out", ref)
	loadSamples(t, ref, 3)
}

// TestSampleClassifierErrors: a class the classifier does not have, a
// classifier that does not fit the model, or a classifier where none
// applies: one line, exit 2, nothing written.
func TestSampleClassifierErrors(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyUNet(t, dir)
	cls := writeTinyClassifier(t, dir, "cls", tinyClassifierConfig(), nil)
	variant := func(name string, f func(*model.ClassifierConfig)) string {
		c := tinyClassifierConfig()
		f(&c)
		return writeTinyClassifier(t, dir, name, c, nil)
	}
	rgb := variant("rgb", func(c *model.ClassifierConfig) { c.NumChannels = 3 })
	unit := variant("unit", func(c *model.ClassifierConfig) { c.Centered = false })
	clean := variant("clean", func(c *model.ClassifierConfig) { c.Conditional = false })
	otherSDE := writeTinyClassifier(t, dir, "other_sde", tinyClassifierConfig(),
		map[string]string{"config": strings.Replace(tinyUNetTOML, "sigma_max = 0.3", "sigma_max = 50", 1)})
	pointsConfig := model.ClassifierConfig{NumClasses: 8, Conditional: true, PointDim: 2, Hidden: 8, Layers: 1, EmbedDim: 4}
	pts2 := writeTinyClassifier(t, dir, "pts2", pointsConfig, nil)
	ptsVE := writeTinyClassifier(t, dir, "pts_ve", pointsConfig, map[string]string{"config": "[sde]\nkind = \"ve\"\nsigma_max = 50\n"})
	pointsConfig.PointDim = 3
	pts3 := writeTinyClassifier(t, dir, "pts3", pointsConfig, nil)
	points := filepath.Join(dir, "points.safetensors")
	mustRun(t, "import", "--from", "score_sde", "--checkpoint", mlpTorch, "--config", mlpTOML, "--out", points)
	out := filepath.Join(dir, "x.npy")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--checkpoint", ckpt, "--classifier", cls, "--class", "3"}, "class 3 is out of range: " + cls + " has 3 classes (0..2)"},
		{[]string{"--checkpoint", ckpt, "--classifier", cls, "--class", "0,x"}, "\"x\" is not a class number"},
		{[]string{"--checkpoint", ckpt, "--class", "1"}, "needs --classifier RUN"},
		{[]string{"--checkpoint", ckpt, "--classifier", "oracle", "--class", "1"}, "--classifier oracle: the exact classifier is a Gaussian mixture's"},
		{[]string{"--checkpoint", ckpt, "--classifier", rgb, "--class", "1"}, "classifies 3x8x8 images, the model samples 1x8x8"},
		{[]string{"--checkpoint", ckpt, "--classifier", unit, "--class", "1"}, "takes images in [0, 1], the model's are in [-1, 1]"},
		{[]string{"--checkpoint", ckpt, "--classifier", clean, "--class", "1"}, "not noise-conditional"},
		{[]string{"--checkpoint", ckpt, "--classifier", ckpt, "--class", "1"}, "not a classifier checkpoint"},
		{[]string{"--checkpoint", ckpt, "--classifier", otherSDE, "--class", "1"}, "was trained on data perturbed by the ve (sigma 0.01 .. 50) SDE, the model samples the ve (sigma 0.01 .. 0.3) SDE"},
		{[]string{"--checkpoint", points, "--classifier", cls, "--class", "1"}, "classifies 1x8x8 images, the model samples 2-D points"},
		{[]string{"--config", vpConfig, "--score", "oracle", "--classifier", cls, "--class", "1"}, "classifies 1x8x8 images, the model samples 2-D points"},
		{[]string{"--checkpoint", ckpt, "--classifier", pts2, "--class", "1"}, "classifies 2-D points, the model samples 1x8x8 images"},
		{[]string{"--config", vpConfig, "--score", "oracle", "--classifier", pts3, "--class", "1"}, "classifies 3-D points, the model samples 2-D points"},
		{[]string{"--config", vpConfig, "--score", "oracle", "--classifier", pts2, "--class", "8"}, "class 8 is out of range: " + pts2 + " has 8 classes (0..7)"},
		{[]string{"--checkpoint", points, "--classifier", pts2, "--class", "-1"}, "class -1 is out of range"},
		{[]string{"--config", vpConfig, "--score", "oracle", "--classifier", ptsVE, "--class", "1"}, "was trained on data perturbed by the ve (sigma 0.01 .. 50) SDE, the model samples the vp (beta 0.1 .. 20) SDE"},
		{[]string{"--config", vpConfig, "--score", "oracle", "--classifier", pts2, "--class", "1", "--sampler", "ald"}, "a trained classifier guides the time-conditioned samplers (pc, em, ode), not ald"},
	} {
		args := append([]string{"sample", "--n", "2", "--out", out}, tc.args...)
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
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("sdevk %s wrote %s", strings.Join(tc.args, " "), out)
		}
	}
}

// TestSamplePointClassList: --class 0,3 with the oracle classifier writes
// the two components' points class-major, says so in the output and the
// sidecar, puts each block by its component's mean, and class i's block is
// samples First + i*n of the run, as a single-class run with --first shows.
func TestSamplePointClassList(t *testing.T) {
	dir := t.TempDir()
	const n = 40
	both, second := filepath.Join(dir, "both.npy"), filepath.Join(dir, "three.npy")
	common := []string{"sample", "--config", vpConfig, "--score", "oracle", "--sampler", "em", "--steps", "60", "--scale", "2"}
	stdout := mustRun(t, append(common, "--class", "0,3", "--n", "40", "--out", both)...)
	if !strings.Contains(stdout, "class-major: classes 0,3, 40 samples each") {
		t.Errorf("output does not describe the layout:\n%s", stdout)
	}
	mustRun(t, append(common, "--class", "3", "--first", "40", "--n", "40", "--out", second)...)
	shape, x, err := data.LoadNPYArray(both)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{2 * n, 2}) {
		t.Fatalf("%s: shape %v, want [%d 2]", both, shape, 2*n)
	}
	_, y, err := data.LoadNPYArray(second)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x[2*n:], y) {
		t.Error("class 3's block differs from samples 40..79 of a --class 3 run")
	}
	side, err := data.ReadShard(both)
	if err != nil {
		t.Fatal(err)
	}
	if side.N != 2*n || !strings.Contains(side.Sampler, "class-major: classes 0,3") {
		t.Errorf("sidecar %+v does not describe the class-major layout", side)
	}
	g := data.EightGaussians()
	for block, k := range []int{0, 3} {
		mu, near := g.Mean(k), 0
		for i := block * n; i < (block+1)*n; i++ {
			dx, dy := float64(x[2*i])-mu[0], float64(x[2*i+1])-mu[1]
			if dx*dx+dy*dy < 1 {
				near++
			}
		}
		if near < n*3/4 {
			t.Errorf("class %d: %d of %d points within 1 of its mean %v", k, near, n, mu)
		}
	}
}
