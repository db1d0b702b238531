package train

import (
	"fmt"
	"testing"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

func testConfig(t testing.TB) Config {
	t.Helper()
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.Builtin("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	net, err := model.NewMLP(vp, model.MLPConfig{Dim: 2, Hidden: 32, Layers: 2})
	if err != nil {
		t.Fatal(err)
	}
	adam := kernels.DefaultAdam()
	adam.Warmup = 10
	return Config{SDE: vp, Net: net, Loss: sde.DefaultLossConfig(), Adam: adam, LR: 2e-3, EMA: 0.99, Batch: 128, Data: ds, Seed: 7}
}

func TestLossDecreases(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	tr, err := New(dev, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var first, last float64
	const steps = 150
	for i := 0; i < steps; i++ {
		l, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if i < 10 {
			first += l / 10
		}
		if i >= steps-10 {
			last += l / 10
		}
	}
	if !(last < 0.8*first) {
		t.Errorf("mean loss went from %.4f to %.4f in %d steps", first, last, steps)
	}
}

// Training 6 steps, saving, restoring into a fresh trainer and training 6
// more equals training 12 steps at once, bit for bit.
func TestResumeIsBitIdentical(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	cfg := testConfig(t)
	run := func(steps int, from *checkpoint.Checkpoint) *checkpoint.Checkpoint {
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
		}
		c, err := tr.Checkpoint(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	straight := run(12, nil)
	path := t.TempDir() + "/half.safetensors"
	if err := checkpoint.Save(path, run(6, nil)); err != nil {
		t.Fatal(err)
	}
	half, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	resumed := run(12, half)
	if !checkpoint.Equal(straight, resumed) {
		for name, a := range straight.Tensors {
			b := resumed.Tensors[name]
			for i := range a.Data {
				if a.Data[i] != b.Data[i] {
					t.Errorf("%s[%d]: %v straight, %v resumed", name, i, a.Data[i], b.Data[i])
					break
				}
			}
		}
		t.Fatal("a resumed run differs from an uninterrupted one")
	}
}

func TestRestoreRefusesAnotherModel(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	cfg := testConfig(t)
	tr, err := New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tr.Checkpoint(nil)
	tr.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Net, _ = model.NewMLP(cfg.SDE, model.MLPConfig{Dim: 2, Hidden: 16, Layers: 2})
	other, err := New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Restore(c); err == nil {
		t.Fatal("a checkpoint of a 32-wide model was restored into a 16-wide one")
	}
}

// The reference trainer follows the device trainer: the same parameters
// after a few steps, to float32 accuracy.
// TestReferenceTrainerMatchesDevice compares three steps, with the
// parameters packed into one buffer and tensor by tensor.
func TestReferenceTrainerMatchesDevice(t *testing.T) {
	defer func(p bool) { packParams = p }(packParams)
	for _, pack := range []bool{true, false} {
		packParams = pack
		t.Run(fmt.Sprintf("packed=%v", pack), referenceTrainerMatchesDevice)
	}
}

func referenceTrainerMatchesDevice(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	cfg := testConfig(t)
	cfg.Batch = 32
	tr, err := New(dev, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if (tr.flat != nil) != packParams {
		t.Fatalf("packed optimiser state %v, want %v", tr.flat != nil, packParams)
	}
	ref, err := NewReference(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		a, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, err := ref.Next()
		if err != nil {
			t.Fatal(err)
		}
		if d := a - b; d > 1e-3*b || d < -1e-3*b {
			t.Errorf("step %d: device loss %v, reference %v", i, a, b)
		}
	}
	got, _ := tr.Checkpoint(nil)
	want, _ := ref.Checkpoint(nil)
	for name, w := range want.Tensors {
		if name == nameOptim {
			continue
		}
		g := got.Tensors[name]
		for i := range w.Data {
			d := float64(g.Data[i] - w.Data[i])
			if d > 1e-3+1e-3*float64(w.Data[i]) || d < -1e-3-1e-3*float64(w.Data[i]) {
				t.Fatalf("%s[%d]: device %v, reference %v", name, i, g.Data[i], w.Data[i])
			}
		}
	}
}
