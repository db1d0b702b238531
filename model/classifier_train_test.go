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
	"github.com/sdevk/sdevk/vk"
)

// cornerImages makes n labelled 8x8 one-channel images in [0, 1]: a square
// of random brightness in the corner given by the label (0..3) on a noisy
// dark background. It returns the images, their labels and the one-hot
// rows.
func cornerImages(n int, r *rand.Rand) (x []float64, labels []int, onehot []float64) {
	x = make([]float64, n*64)
	labels = make([]int, n)
	onehot = make([]float64, n*4)
	for i := range n {
		c := r.IntN(4)
		labels[i], onehot[i*4+c] = c, 1
		oy, ox := 4*(c/2), 4*(c%2)
		bright := 0.4 + 0.5*r.Float64()
		for p := range 64 {
			v := 0.15
			if y, xx := p/8, p%8; y >= oy && y < oy+4 && xx >= ox && xx < ox+4 {
				v = bright
			}
			x[i*64+p] = min(1, max(0, v+0.1*r.NormFloat64()))
		}
	}
	return x, labels, onehot
}

// adam is a minimal Adam on a reference executor's parameter store.
type adam struct {
	lr, b1, b2 float64
	step       int
	m, v       map[string][]float64
}

func (a *adam) update(st graph.Store, names []string, grads [][]float64) {
	a.step++
	c1 := 1 - math.Pow(a.b1, float64(a.step))
	c2 := 1 - math.Pow(a.b2, float64(a.step))
	for k, name := range names {
		p, g := st[name], grads[k]
		if a.m[name] == nil {
			a.m[name], a.v[name] = make([]float64, len(p)), make([]float64, len(p))
		}
		m, v := a.m[name], a.v[name]
		for i := range p {
			m[i] = a.b1*m[i] + (1-a.b1)*g[i]
			v[i] = a.b2*v[i] + (1-a.b2)*g[i]*g[i]
			p[i] -= a.lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + 1e-8)
		}
	}
}

// TestClassifierTrains: a few dozen Adam steps of the cross-entropy
// objective on the float64 reference executor take a tiny classifier from
// chance to near-perfect accuracy on held-out corner images; the
// noise-conditional one, trained on perturbed images, classifies slightly
// noisy images well and is near chance at t = 1, where x_t holds almost no
// trace of x0.
func TestClassifierTrains(t *testing.T) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	const batch, steps, held = 16, 60, 64
	for _, cond := range []bool{false, true} {
		net, err := model.NewClassifier(model.ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1,
			NumClasses: 4, ImageSize: 8, NumChannels: 1, Conditional: cond})
		if err != nil {
			t.Fatal(err)
		}
		g := graph.New()
		x0, lb := g.Input("x0", batch, 64), g.Input("labels", batch, 4)
		ln, err := sde.BuildClassifierLoss(vp, net, x0, lb, sde.ClassifierLossConfig{NoiseConditional: cond})
		if err != nil {
			t.Fatal(err)
		}
		params := model.Trainable(g, net.Params())
		grads, err := graph.Grad(ln.Loss, params...)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(params))
		for i, p := range params {
			names[i] = p.Name()
		}
		ref := graph.NewReference()
		ref.Seed = 1
		if ref.Params, err = model.InitParams(net.Params(), 2); err != nil {
			t.Fatal(err)
		}
		// Held-out accuracy at time tv, on one graph of held rows.
		hg := graph.New()
		hx, ht, hl := hg.Input("x", held, 64), hg.Input("t", held), hg.Input("labels", held, 4)
		hcorrect := sde.Correct(net.Logits(hg, hx, ht), hl)
		r := rand.New(rand.NewPCG(7, 8))
		heldX, _, heldOH := cornerImages(held, r)
		accuracy := func(tv float64, noisy bool) float64 {
			xv := heldX
			if noisy {
				// x_t of the VP SDE at tv, with fixed noise.
				mean, std := vp.Marginal(tv)
				nr := rand.New(rand.NewPCG(9, 10))
				xv = make([]float64, len(heldX))
				for i, v := range heldX {
					xv[i] = mean*v + std*nr.NormFloat64()
				}
			}
			ts := make([]float64, held)
			for i := range ts {
				ts[i] = tv
			}
			out, err := ref.Run(graph.Feeds{hx: xv, ht: ts, hl: heldOH}, hcorrect)
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			for _, c := range out[0] {
				s += c
			}
			return s / held
		}
		before := accuracy(0.01, cond)
		opt := &adam{lr: 1e-2, b1: 0.9, b2: 0.999, m: map[string][]float64{}, v: map[string][]float64{}}
		var loss float64
		for step := range steps {
			xb, _, ob := cornerImages(batch, r)
			ref.Step = uint32(step)
			out, err := ref.Run(graph.Feeds{x0: xb, lb: ob}, append([]*graph.Node{ln.Loss}, grads...)...)
			if err != nil {
				t.Fatal(err)
			}
			loss = out[0][0]
			opt.update(ref.Params, names, out[1:])
		}
		after := accuracy(0.01, cond)
		t.Logf("conditional %v: held-out accuracy %.3f before, %.3f after %d steps (last batch loss %.3f)", cond, before, after, steps, loss)
		if !(after >= 0.9) {
			t.Errorf("conditional %v: held-out accuracy %.3f after %d steps, want >= 0.9", cond, after, steps)
		}
		if cond {
			if late := accuracy(1, true); !(late < 0.5) {
				t.Errorf("accuracy %.3f at t = 1, where x_t is nearly pure noise: want near chance (0.25)", late)
			} else {
				t.Logf("accuracy at t = 1: %.3f (chance 0.25)", late)
			}
		}
	}
}

// TestClassifierLossDeviceMatchesReference: the noise-conditional
// cross-entropy of a tiny classifier with random weights (the ResNet
// encoder of images, and the MLP of points), its gradient with respect to
// every parameter and the guidance gradient with respect to x_t agree
// between the device and the float64 reference executor (the same Philox
// draws for t and z on both).
func TestClassifierLossDeviceMatchesReference(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	for _, tc := range []struct {
		cfg  model.ClassifierConfig
		data func(n int, r *rand.Rand) (x []float64, labels []int)
	}{
		{model.ClassifierConfig{NF: 8, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 4, ImageSize: 8, NumChannels: 1, Conditional: true},
			func(n int, r *rand.Rand) ([]float64, []int) {
				x, labels, _ := cornerImages(n, r)
				return x, labels
			}},
		{model.ClassifierConfig{NumClasses: 5, Conditional: true, PointDim: 3, Hidden: 12, Layers: 2, EmbedDim: 8},
			func(n int, r *rand.Rand) ([]float64, []int) {
				x, labels := make([]float64, 3*n), make([]int, n)
				for i := range n {
					labels[i] = r.IntN(5)
					for j := range 3 {
						x[3*i+j] = float64(labels[i]-2) + 0.5*r.NormFloat64()
					}
				}
				return x, labels
			}},
	} {
		net, err := model.NewClassifier(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		x, labels := tc.data(5, rand.New(rand.NewPCG(3, 5)))
		checkClassifierLossDevice(t, dev, net, x, labels)
	}
}

// checkClassifierLossDevice compares net's loss, parameter gradients and
// guidance gradient on the batch x with labels between dev and the
// reference executor.
func checkClassifierLossDevice(t *testing.T, dev *vk.Device, net *model.Classifier, x []float64, labels []int) {
	t.Helper()
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		t.Fatal(err)
	}
	b, k := len(labels), net.Config().NumClasses
	r := rand.New(rand.NewPCG(3, 4))
	ref := graph.NewReference()
	ref.Seed, ref.Step = 9, 2
	e := vkexec.New(dev)
	defer e.Params.Release()
	for _, p := range net.Params() {
		v := make([]float64, p.Size())
		f := make([]float32, p.Size())
		for i := range v {
			v[i] = 0.3 * r.NormFloat64()
			if p.Init.Kind == model.InitOnes {
				v[i]++
			}
			f[i] = float32(v[i])
		}
		ref.Params[p.Name] = v
		if err := e.Params.Set(p.Name, p.Shape, f); err != nil {
			t.Fatal(err)
		}
	}
	g := graph.New()
	x0, lb := g.Input("x0", b, net.Dim()), g.Input("labels", b, k)
	ln, err := sde.BuildClassifierLoss(vp, net, x0, lb, sde.ClassifierLossConfig{NoiseConditional: true})
	if err != nil {
		t.Fatal(err)
	}
	params := model.Trainable(g, net.Params())
	grads, err := graph.Grad(ln.Loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	guide, err := sde.ClassifierGuidance(net, ln.Xt, ln.T, lb)
	if err != nil {
		t.Fatal(err)
	}
	outs := append([]*graph.Node{ln.Loss, ln.Correct, guide}, grads...)
	oh32, err := sde.OneHot(labels, k)
	if err != nil {
		t.Fatal(err)
	}
	onehot := make([]float64, len(oh32))
	for i, v := range oh32 {
		onehot[i] = float64(v)
	}
	want, err := ref.Run(graph.Feeds{x0: x, lb: onehot}, outs...)
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
	if err := prog.SetInput("labels", oh32); err != nil {
		t.Fatal(err)
	}
	if err := prog.Run(ref.Seed, ref.Step); err != nil {
		t.Fatal(err)
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
		rel := diff / math.Max(scale, 1e-6)
		worst = math.Max(worst, rel)
		if rel > 2e-3 {
			t.Errorf("%v: output %d (%v): max |device - reference| = %.3g, %.2e of its largest value %.3g", net.Config(), i, o, diff, rel, scale)
		}
	}
	t.Logf("%v: loss %.4g, %d gradients and the guidance gradient; worst max|device - reference| / max|reference| %.2e", net.Config(), want[0][0], len(grads), worst)
}
