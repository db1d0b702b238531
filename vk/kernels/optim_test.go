package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// TestAdamSteps records one optimiser step (grad norm, prep, Adam on two
// odd-sized buffers, EMA) once and replays it for several steps with new
// gradients, against the float64 reference.
func TestAdamSteps(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(11, 12))
	sizes := []int{1037, 5}
	cases := []struct {
		name      string
		cfg       AdamConfig
		gradScale float64
		clipping  bool // whether the norm exceeds Clip
	}{
		{"adam warm-up clip active", AdamConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Warmup: 3, Clip: 1}, 1, true},
		{"adamw clip inactive", AdamConfig{Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true, Warmup: 4, Clip: 100}, 0.5, false},
		{"adam no clip no warm-up", AdamConfig{Beta1: 0.8, Beta2: 0.999, Eps: 1e-6}, 2, false},
	}
	const steps, lr, rate = 6, 1e-2, 0.9
	for _, c := range cases {
		params := [][]float64{randn(rng, sizes[0], 1, 0), randn(rng, sizes[1], 1, 0)}
		ema := [][]float64{append([]float64(nil), params[0]...), append([]float64(nil), params[1]...)}
		ref := NewAdamRef(c.cfg, lr, sizes)
		var pb, gb, mb, vb, eb []*vk.Buffer
		for i, n := range sizes {
			pb = append(pb, upload(t, l, params[i]))
			eb = append(eb, upload(t, l, ema[i]))
			gb = append(gb, newBuf(t, l, n))
			mb = append(mb, upload(t, l, make([]float64, n)))
			vb = append(vb, upload(t, l, make([]float64, n)))
		}
		state := newBuf(t, l, OptimStateLen)
		if err := state.UploadU32(OptimStateInit(lr)); err != nil {
			t.Fatal(err)
		}
		scratch := newBuf(t, l, l.GradNormPartials(sizes[0])+l.GradNormPartials(sizes[1]))
		seq := begin(t, l)
		defer seq.Destroy()
		if err := l.AdamStep(seq, c.cfg, state, scratch, pb, gb, mb, vb, sizes); err != nil {
			t.Fatal(err)
		}
		for i, n := range sizes {
			// Buffer 0 with score_sde's warm EMA, buffer 1 with a fixed rate.
			if err := l.EMA(seq, pb[i], map[bool]*vk.Buffer{true: state, false: nil}[i == 0], eb[i], n, rate, i == 0); err != nil {
				t.Fatal(err)
			}
		}
		if err := seq.End(); err != nil {
			t.Fatal(err)
		}
		for step := 1; step <= steps; step++ {
			grads := [][]float64{randn(rng, sizes[0], c.gradScale/30, 0), randn(rng, sizes[1], c.gradScale/30, 0.01)}
			for i := range grads {
				f := make([]float32, len(grads[i]))
				for j := range f {
					f[j] = float32(grads[i][j])
					grads[i][j] = float64(f[j])
				}
				if err := gb[i].Upload(f); err != nil {
					t.Fatal(err)
				}
			}
			if step == 5 { // the host changes the learning rate without re-recording
				ref.LR = lr / 2
				if err := state.Write(4*OptLR, OptimStateLR(lr/2)); err != nil {
					t.Fatal(err)
				}
			}
			if err := seq.Submit(); err != nil {
				t.Fatal(err)
			}
			norm := ref.Update(params, grads)
			if c.cfg.Clip > 0 && (norm > c.cfg.Clip) != c.clipping {
				t.Fatalf("%s: norm %g against clip %g", c.name, norm, c.cfg.Clip)
			}
			EMARef(ema[0], params[0], rate, step, true)
			EMARef(ema[1], params[1], rate, step, false)
			words := make([]uint32, OptimStateLen)
			if err := state.DownloadU32(words); err != nil {
				t.Fatal(err)
			}
			if words[OptStep] != uint32(step) {
				t.Fatalf("%s: step counter %d, want %d", c.name, words[OptStep], step)
			}
			if c.cfg.Clip > 0 {
				got := float64(math.Float32frombits(words[OptGradNorm]))
				if math.Abs(got-norm) > 1e-5*norm {
					t.Errorf("%s step %d: grad norm %g, want %g", c.name, step, got, norm)
				}
			}
			for i := range sizes {
				vktest.Close(t, c.name+" param", download(t, pb[i], sizes[i]), params[i], 1e-5, 1e-6)
				vktest.Close(t, c.name+" m", download(t, mb[i], sizes[i]), ref.M[i], 1e-5, 1e-8)
				vktest.Close(t, c.name+" v", download(t, vb[i], sizes[i]), ref.V[i], 1e-5, 1e-11)
				vktest.Close(t, c.name+" ema", download(t, eb[i], sizes[i]), ema[i], 1e-5, 1e-6)
			}
		}
	}
}

// TestGradNorm checks the device norm over several odd-sized buffers, one
// empty, and that it is bit-for-bit repeatable.
func TestGradNorm(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(13, 14))
	sizes := []int{100003, 0, 1, 4097}
	var bufs []*vk.Buffer
	ss, parts := 0.0, 0
	for _, n := range sizes {
		g := randn(rng, n, 1, 0.5)
		bufs = append(bufs, upload(t, l, append(g, 0)))
		for _, x := range g {
			x = float64(float32(x))
			ss += x * x
		}
		parts += l.GradNormPartials(n)
	}
	state, scratch := newBuf(t, l, OptimStateLen), newBuf(t, l, parts)
	var first uint32
	for rep := 0; rep < 2; rep++ {
		run(t, l, func(seq *vk.Sequence) error { return l.GradNorm(seq, bufs, sizes, scratch, state) })
		words := make([]uint32, OptimStateLen)
		if err := state.DownloadU32(words); err != nil {
			t.Fatal(err)
		}
		got := math.Float32frombits(words[OptGradNorm])
		vktest.Close(t, "norm", []float32{got}, []float64{math.Sqrt(ss)}, 1e-6, 0)
		if rep == 1 && words[OptGradNorm] != first {
			t.Errorf("norm %g then %g", math.Float32frombits(first), got)
		}
		first = words[OptGradNorm]
	}
}
