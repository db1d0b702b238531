package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde/sampling"
)

// tinyUNetTOML is an 8x8 grey-image U-Net with nf 8, sampled in 4 steps.
// sigma_max 0.3 keeps its samples mostly inside the data range, so that the
// [0, 1] clip does not hide differences between runs, and init_scale 1 gives
// its random weights a score that is not near zero (score_sde's zero-scaled
// last layers would blow the Langevin corrector's step up).
const tinyUNetTOML = `seed = 3
[training]
sde = "vesde"
[model]
name = "ncsnpp"
nf = 8
ch_mult = [1, 2]
num_res_blocks = 1
attn_resolutions = [4]
sigma_min = 0.01
sigma_max = 0.3
init_scale = 1.0
[data]
image_size = 8
num_channels = 1
centered = true
[sampling]
method = "em"
n_steps = 4
`

// writeTinyUNet writes an sdevk checkpoint of tinyUNetTOML's U-Net with
// random weights and returns its path.
func writeTinyUNet(t *testing.T, dir string) string {
	t.Helper()
	c, err := config.Parse("tiny_unet.toml", []byte(tinyUNetTOML), nil)
	if err != nil {
		t.Fatal(err)
	}
	net, _, err := sampling.NetworkFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	w, err := model.InitParams32(net.Params(), 1)
	if err != nil {
		t.Fatal(err)
	}
	ck := checkpoint.New()
	for _, p := range net.Params() {
		ck.Tensors["ema/"+p.Name] = checkpoint.Tensor{Shape: p.Shape, Data: w[p.Name]}
	}
	ck.Meta["config"] = tinyUNetTOML
	path := filepath.Join(dir, "unet.safetensors")
	if err := checkpoint.Save(path, ck); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadSamples reads a samples .npy of image shape.
func loadSamples(t *testing.T, path string, n int) []float32 {
	t.Helper()
	shape, x, err := data.LoadNPYArray(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{n, 1, 8, 8}) {
		t.Fatalf("%s: shape %v, want [%d 1 8 8]", path, shape, n)
	}
	return x
}

// TestSampleImagesIndependentOfBatch: an image model's sample i is the
// same, bit for bit, in batches of 3 and of 8, with Euler-Maruyama, PC with
// the Langevin corrector and DDIM; the .npy is (N, C, H, W) in [0, 1].
func TestSampleImagesIndependentOfBatch(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyUNet(t, dir)
	const n = 8
	for _, sampler := range [][]string{
		{"--sampler", "em"},
		{"--sampler", "pc", "--predictor", "reverse_diffusion", "--corrector", "langevin"},
		{"--sampler", "ddim", "--eta", "1", "--steps", "3"},
	} {
		var runs [2][]float32
		for i, batch := range []string{"3", "8"} {
			out := filepath.Join(dir, "b"+batch+".npy")
			args := append([]string{"sample", "--checkpoint", ckpt, "--n", "8", "--batch", batch, "--out", out}, sampler...)
			mustRun(t, args...)
			runs[i] = loadSamples(t, out, n)
		}
		for i := range runs[0] {
			if runs[0][i] != runs[1][i] {
				t.Fatalf("%v: value %d (sample %d) is %v in batches of 3, %v in one batch of 8", sampler, i, i/64, runs[0][i], runs[1][i])
			}
		}
		inside := 0
		for _, v := range runs[0] {
			if v < 0 || v > 1 {
				t.Fatalf("%v: value %v outside [0, 1]", sampler, v)
			}
			if v > 0 && v < 1 {
				inside++
			}
		}
		if inside < len(runs[0])/2 {
			t.Errorf("%v: %d of %d values clipped to 0 or 1; the test needs unclipped samples", sampler, len(runs[0])-inside, len(runs[0]))
		}
	}

}

// TestSampleShardsMerge: three shards of an image run merge into what one
// run writes, bit for bit; merge refuses a gap, an overlap and a shard of
// another seed with exit 2 naming the files, and writes nothing. A shard's
// --png-dir holds one PNG per sample named by its run index, --png a grid.
func TestSampleShardsMerge(t *testing.T) {
	dir := t.TempDir()
	ckpt := writeTinyUNet(t, dir)
	shard := func(name string, first, n int, extra ...string) string {
		out := filepath.Join(dir, name)
		args := append([]string{"sample", "--checkpoint", ckpt, "--first", itoa(first), "--n", itoa(n), "--batch", "2", "--out", out}, extra...)
		mustRun(t, args...)
		return out
	}
	whole := shard("whole.npy", 0, 7)
	pngDir, grid := filepath.Join(dir, "pngs"), filepath.Join(dir, "grid.png")
	s0, s1, s2 := shard("shard-0.npy", 0, 3), shard("shard-1.npy", 3, 3, "--png-dir", pngDir, "--png", grid), shard("shard-2.npy", 6, 1)
	merged := filepath.Join(dir, "all.npy")
	mustRun(t, "merge", "--out", merged, s2, s0, s1)
	want, _ := os.ReadFile(whole)
	got, _ := os.ReadFile(merged)
	if !bytes.Equal(got, want) {
		t.Fatalf("merged shards (%d bytes) differ from one run (%d bytes)", len(got), len(want))
	}
	side, err := data.ReadShard(merged)
	if err != nil || side.First != 0 || side.N != 7 || !strings.HasPrefix(side.Model, "sha256:") {
		t.Errorf("merged sidecar %+v, %v", side, err)
	}

	entries, err := os.ReadDir(pngDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"000003.png", "000004.png", "000005.png"}; !slices.Equal(names, want) {
		t.Errorf("--png-dir holds %v, want %v", names, want)
	}
	if st, err := os.Stat(grid); err != nil || st.Size() == 0 {
		t.Errorf("--png grid: %v", err)
	}

	// Shard 1 again, its sidecar claiming samples 2..4, or seed 9.
	overlap := relabel(t, s1, filepath.Join(dir, "overlap.npy"), func(s *data.Shard) { s.First = 2 })
	otherSeed := relabel(t, s1, filepath.Join(dir, "seed9.npy"), func(s *data.Shard) { s.Seed = 9 })
	for _, c := range []struct {
		shards []string
		want   string
	}{
		{[]string{s0, s2}, "samples 3..5 are missing between"},
		{[]string{s0, overlap, s1, s2}, "overlap"},
		{[]string{s0, otherSeed, s2}, "different seeds"},
	} {
		out := filepath.Join(dir, "refused.npy")
		code, _, stderr := runCmd(t, append([]string{"merge", "--out", out}, c.shards...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("merge %v: exit %d, stderr %q: want exit 2 and one line with %q", c.shards, code, stderr, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("merge %v wrote %s", c.shards, out)
		}
	}
}

// relabel copies the shard at src to dst with its sidecar edited.
func relabel(t *testing.T, src, dst string, edit func(*data.Shard)) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s, err := data.ReadShard(src)
	if err != nil {
		t.Fatal(err)
	}
	edit(&s)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteShard(dst, s); err != nil {
		t.Fatal(err)
	}
	return dst
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestSampleShardFlagsRefused: bad --first / --batch / --png-dir values exit
// 2 naming the flag, before anything runs.
func TestSampleShardFlagsRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.npy")
	base := []string{"sample", "--config", "../../configs/vp_dsm.toml", "--score", "oracle", "--n", "4", "--out", out}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--first", "-1"}, "--first: must be >= 0"},
		{[]string{"--batch", "0"}, "--batch: must be >= 1"},
		{[]string{"--batch", "2", "--device", "cpu-reference"}, "--batch: cpu-reference samples all points at once"},
		{[]string{"--png-dir", filepath.Join(t.TempDir(), "p")}, "--png-dir: one PNG per sample is for image models"},
	} {
		code, _, stderr := runCmd(t, append(base, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q: want exit 2 naming %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote %s", out)
	}
}

// --view on an image model opens the image-grid viewer: without the viewer
// build that is one line naming the build to make; a class list or the
// reference device is refused first.
func TestSampleImagesView(t *testing.T) {
	ckpt := writeTinyCheckpoint(t, t.TempDir(), 1)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--view"}, "--view: viewer:"},
		{[]string{"--view", "--device", "cpu-reference"}, "--view: the viewer draws the whole run as one batch"},
	} {
		args := append([]string{"sample", "--checkpoint", ckpt, "--n", "2"}, c.args...)
		code, _, errs := runCmd(t, args...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line containing %q", c.args, code, errs, c.want)
		}
	}
}
