package train

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// blobImages are n 8x8 one-channel images, each a bright 4x4 square in one
// of the four quadrants (its label) on a dark background.
func blobImages(n int) *data.Images {
	im := &data.Images{N: n, C: 1, H: 8, W: 8, Pixels: make([]uint8, n*64), Labels: make([]int, n),
		Classes: []string{"nw", "ne", "sw", "se"}}
	for i := range n {
		c := i % 4
		im.Labels[i] = c
		oy, ox := 4*(c/2), 4*(c%2)
		for p := range 64 {
			v := uint8(20 + 7*(p%5))
			if y, x := p/8, p%8; y >= oy && y < oy+4 && x >= ox && x < ox+4 {
				v = 230
			}
			im.Pixels[i*64+p] = v
		}
	}
	return im
}

// imageConfig trains an nf 8 DDPM++ U-Net on 8x8 blob images (24 of them,
// so batches of 8 cross an epoch every 3 steps) under the VP SDE.
func imageConfig(t testing.TB) Config {
	t.Helper()
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	u := model.DefaultUNetConfig()
	u.NF, u.ChMult, u.NumResBlocks, u.AttnResolutions = 8, []int{1, 2}, 1, []int{4}
	u.ImageSize, u.NumChannels, u.Dropout, u.Centered = 8, 1, 0.1, true
	net, err := model.NewUNet(vp, u)
	if err != nil {
		t.Fatal(err)
	}
	adam := kernels.DefaultAdam()
	adam.Warmup = 0
	pipe := func(seed uint64) *data.Pipeline {
		return &data.Pipeline{Images: blobImages(24), Batch: 8, Centered: true, Dequantize: true, Flip: true, Seed: seed}
	}
	return Config{SDE: vp, Net: net, Loss: sde.DefaultLossConfig(), Adam: adam, LR: 3e-3, EMA: 0.9,
		Batch: 8, Images: pipe(5), EvalImages: pipe(6), Seed: 5}
}

// An image trainer's loss falls in a few steps, and each step's labels are
// those of its batch's images. Without evaluation data, EvalLoss says so.
func TestImageTrainerLossFalls(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	cfg := imageConfig(t)
	cfg.EvalImages = nil
	tr, err := New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	const steps, window = 30, 6
	var first, last float64
	for i := range steps {
		l, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if i < window {
			first += l / window
		}
		if i >= steps-window {
			last += l / window
		}
		want, _ := cfg.Images.Make(i)
		if got := tr.Labels(); len(got) != cfg.Batch || got[0] != want.Labels[0] || got[7] != want.Labels[7] {
			t.Fatalf("step %d: labels %v, the pipeline's batch has %v", i, got, want.Labels)
		}
	}
	if !(last < 0.6*first) {
		t.Errorf("mean loss went from %.3f to %.3f in %d steps", first, last, steps)
	}
	if _, err := tr.EvalLoss(0); !errors.Is(err, ErrNoEvalData) {
		t.Errorf("EvalLoss without evaluation data: %v, want ErrNoEvalData", err)
	}
}

// An image run stopped after 4 steps and resumed to 7 equals 7 steps at
// once, bit for bit, though the straight run measured evaluation losses on
// the way (they swap the EMA in and out of the parameters) and the resumed
// one starts its stream mid-epoch.
func TestImageResumeIsBitIdentical(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	cfg := imageConfig(t)
	var evals []float64
	run := func(steps int, from *checkpoint.Checkpoint, eval bool) *checkpoint.Checkpoint {
		tr, err := New(dev, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if from != nil {
			if err := tr.Restore(from); err != nil {
				t.Fatal(err)
			}
		}
		for tr.Step < steps {
			if _, err := tr.Next(); err != nil {
				t.Fatal(err)
			}
			if eval && tr.Step%2 == 0 {
				l, err := tr.EvalLoss(tr.Step / 2)
				if err != nil {
					t.Fatal(err)
				}
				evals = append(evals, l)
			}
		}
		c, err := tr.Checkpoint(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	straight := run(7, nil, true)
	resumed := run(7, run(4, nil, false), false)
	if !checkpoint.Equal(straight, resumed) {
		t.Fatal("a resumed image run differs from an uninterrupted one")
	}
	if len(evals) != 3 {
		t.Fatalf("%d evaluation losses, want 3", len(evals))
	}
	for _, l := range evals {
		if math.IsNaN(l) || !(l > 0) {
			t.Errorf("evaluation loss %v, want a positive number", l)
		}
	}
}

// A step that cannot fit the device fails before anything is allocated,
// with one line naming the estimate and the device's memory.
func TestTooBigForDevice(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	defer func(f func(*vk.Device) uint64) { deviceMemory = f }(deviceMemory)
	deviceMemory = func(*vk.Device) uint64 { return 1 << 20 }
	before := dev.Memory().InUse
	_, err := New(dev, imageConfig(t))
	var big ErrDeviceMemory
	if !errors.As(err, &big) {
		t.Fatalf("New on a 1 MiB device: %v, want ErrDeviceMemory", err)
	}
	if big.Need <= big.Device || big.Step == 0 || big.State == 0 {
		t.Errorf("estimate %+v: want a step and state above the device's memory", big)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "1.0 MiB") || !strings.Contains(msg, "batch of 8") {
		t.Errorf("message %q: want one line naming the batch and the sizes", msg)
	}
	if after := dev.Memory().InUse; after != before {
		t.Errorf("a refused trainer left %d bytes in use (was %d)", after, before)
	}
}

// Mismatched pipeline and trainer batch sizes are an error, not a crash.
func TestImageBatchMismatch(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	cfg := imageConfig(t)
	cfg.Batch = 4
	if _, err := New(dev, cfg); err == nil || !strings.Contains(err.Error(), "batches of 8") {
		t.Errorf("pipeline batch 8, trainer batch 4: %v", err)
	}
}

// The streamed image batches are the pipeline's batches of the asked steps,
// in order or not (a restore restarts the stream), labels included.
func TestImageBatchesFollowSteps(t *testing.T) {
	pipe := &data.Pipeline{Images: blobImages(24), Batch: 8, Centered: true, Dequantize: true, Flip: true, Seed: 9}
	src := &imageBatches{pipe: pipe}
	defer src.close()
	x := make([]float32, 8*64)
	for _, step := range []int{0, 1, 2, 7, 8, 3} {
		labels, err := src.fill(step, x)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := pipe.Make(step)
		for i := range x {
			if x[i] != want.X[i] {
				t.Fatalf("step %d: value %d is %v, the pipeline's %v", step, i, x[i], want.X[i])
			}
		}
		if fmt.Sprint(labels) != fmt.Sprint(want.Labels) {
			t.Fatalf("step %d: labels %v, want %v", step, labels, want.Labels)
		}
	}
	src.close()
	if _, err := src.fill(4, make([]float32, 3)); err == nil {
		t.Error("a batch of the wrong size was accepted")
	}
}
