package model_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/sde/train"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// blobs is a synthetic image set: 8x8 one-channel images of a bright
// square at one of four corners on a dark background, in [0, 1] with a
// little pixel noise.
type blobs struct{}

func (blobs) Name() string { return "blobs" }
func (blobs) Dim() int     { return 64 }

func (blobs) Sample(n int, r *rand.Rand) []float64 {
	x := make([]float64, n*64)
	for i := range n {
		c := r.IntN(4)
		oy, ox := 4*(c/2), 4*(c%2)
		for p := range 64 {
			v := 0.1
			if y, xx := p/8, p%8; y >= oy && y < oy+4 && xx >= ox && xx < ox+4 {
				v = 0.9
			}
			x[i*64+p] = v + 0.02*r.NormFloat64()
		}
	}
	return x
}

// tinyConfig is an nf 8 U-Net on 8x8x1 images: DDPM++ (BigGAN blocks,
// positional embedding) for VP and sub-VP, NCSN++ (Fourier embedding, FIR,
// residual input pyramid, scale_by_sigma) for VE.
func tinyConfig(ve bool) model.UNetConfig {
	c := model.DefaultUNetConfig()
	c.NF, c.ChMult, c.NumResBlocks, c.AttnResolutions = 8, []int{1, 2}, 1, []int{4}
	c.ImageSize, c.NumChannels, c.Dropout = 8, 1, 0
	if ve {
		c.EmbeddingType, c.FIR, c.ProgressiveInput, c.ScaleBySigma = "fourier", true, "residual", true
	}
	return c
}

func sdes(t *testing.T) map[string]sde.SDE {
	t.Helper()
	vp, err1 := sde.NewVP(0.1, 20, 1000)
	subvp, err2 := sde.New(sde.Params{Kind: sde.KindSubVP, BetaMin: 0.1, BetaMax: 20, N: 1000})
	ve, err3 := sde.New(sde.Params{Kind: sde.KindVE, SigmaMin: 0.01, SigmaMax: 5, N: 1000})
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return map[string]sde.SDE{"vp": vp, "subvp": subvp, "ve": ve}
}

// TestTinyUNetTrains: under each SDE, a tiny U-Net's DSM loss on the
// synthetic images falls well below its value at initialisation.
func TestTinyUNetTrains(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	for name, s := range sdes(t) {
		t.Run(name, func(t *testing.T) {
			net, err := model.NewUNet(s, tinyConfig(name == "ve"))
			if err != nil {
				t.Fatal(err)
			}
			adam := kernels.DefaultAdam()
			adam.Warmup = 0
			tr, err := train.New(dev, train.Config{SDE: s, Net: net, Loss: sde.DefaultLossConfig(), Adam: adam,
				LR: 3e-3, Batch: 16, Data: blobs{}, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			const steps, window = 40, 8
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
			}
			t.Logf("mean loss of the first %d steps %.2f, of the last %.2f", window, first, last)
			if !(last < 0.5*first) {
				t.Errorf("mean loss went from %.3f to %.3f in %d steps, want below half", first, last, steps)
			}
		})
	}
}

// TestTinyUNetGradientsMatchReference: the DSM loss of the tiny U-Nets in
// training mode (dropout 0.1) and its gradient with respect to every
// trainable parameter agree between the device and the float64 reference
// executor.
func TestTinyUNetGradientsMatchReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	for name, s := range sdes(t) {
		t.Run(name, func(t *testing.T) {
			// With dropout, as score_sde trains: both executors draw the
			// same masks.
			c := tinyConfig(name == "ve")
			c.Dropout = 0.1
			net, err := model.NewUNet(s, c)
			if err != nil {
				t.Fatal(err)
			}
			// Random weights everywhere (the init's near-zero output layer
			// would hide the gradients of everything before it).
			r := rand.New(rand.NewPCG(9, 10))
			ref := graph.NewReference()
			ref.Seed = 5
			e := vkexec.New(dev)
			defer e.Params.Release()
			for _, p := range net.Params() {
				v := make([]float64, p.Size())
				f := make([]float32, p.Size())
				for i := range v {
					v[i] = 0.3 * r.NormFloat64()
					if p.Init.Kind == model.InitOnes {
						v[i] += 1
					}
					f[i] = float32(v[i])
				}
				ref.Params[p.Name] = v
				if err := e.Params.Set(p.Name, p.Shape, f); err != nil {
					t.Fatal(err)
				}
			}
			g := graph.New()
			x0 := g.Input("x0", 4, 64)
			ln, err := sde.BuildLoss(s, model.ForTraining(net), x0, sde.DefaultLossConfig())
			if err != nil {
				t.Fatal(err)
			}
			params := model.Trainable(g, net.Params())
			grads, err := graph.Grad(ln.Loss, params...)
			if err != nil {
				t.Fatal(err)
			}
			outs := append([]*graph.Node{ln.Loss}, grads...)
			x := blobs{}.Sample(4, rand.New(rand.NewPCG(1, 1)))
			want, err := ref.Run(graph.Feeds{x0: x}, outs...)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := e.Compile(outs...)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Release()
			x32 := make([]float32, len(x))
			for i, v := range x {
				x32[i] = float32(v)
			}
			if err := prog.SetInput("x0", x32); err != nil {
				t.Fatal(err)
			}
			if err := prog.Run(ref.Seed, ref.Step); err != nil {
				t.Fatal(err)
			}
			gradScale := 0.0
			for _, w := range want[1:] {
				for _, v := range w {
					gradScale = math.Max(gradScale, math.Abs(v))
				}
			}
			worst := 0.0
			for i, o := range outs {
				got, err := prog.Read(o)
				if err != nil {
					t.Fatal(err)
				}
				var diff, scale float64
				for j := range got {
					diff = math.Max(diff, math.Abs(float64(got[j])-want[i][j]))
					scale = math.Max(scale, math.Abs(want[i][j]))
				}
				// The attention's key bias has a zero gradient (softmax
				// ignores a shift of a row's logits): measure such round-off
				// against the largest gradient.
				rel := diff / math.Max(scale, 1e-3*gradScale)
				worst = math.Max(worst, rel)
				if rel > 2e-3 {
					name := "loss"
					if i > 0 {
						name = "d loss / d " + params[i-1].Name()
					}
					t.Errorf("%s: max |device - reference| = %.3g, %.2e of its largest value %.3g", name, diff, rel, scale)
				}
			}
			t.Logf("loss %.4g; %d gradients; worst max|device - reference| / max|reference| %.2e", want[0][0], len(grads), worst)
		})
	}
}
