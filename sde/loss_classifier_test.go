package sde_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
)

// TestSoftmaxCrossEntropyValues: the graph's cross-entropy equals
// log sum exp - the labelled logit computed in float64, also for logits
// whose exponentials overflow (the row maximum is subtracted first).
func TestSoftmaxCrossEntropyValues(t *testing.T) {
	const b, k = 4, 5
	logits := []float64{
		0, 0, 0, 0, 0,
		1, -2, 3, 0.5, -1,
		1000, 999, -1000, 0, 998,
		-800, -801, -799, -805, -800,
	}
	labels := []int{2, 2, 1, 4}
	g := graph.New()
	ln, lb := g.Input("logits", b, k), g.Input("labels", b, k)
	ce := sde.SoftmaxCrossEntropy(ln, lb)
	correct := sde.Correct(ln, lb)
	onehot, err := sde.OneHot(labels, k)
	if err != nil {
		t.Fatal(err)
	}
	oh := make([]float64, len(onehot))
	for i, v := range onehot {
		oh[i] = float64(v)
	}
	res, err := graph.NewReference().Run(graph.Feeds{ln: logits, lb: oh}, ce, correct)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		row := logits[i*k : (i+1)*k]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		s := 0.0
		best := 0
		for j, v := range row {
			s += math.Exp(v - m)
			if v > row[best] {
				best = j
			}
		}
		want := m + math.Log(s) - row[labels[i]]
		if got := res[0][i]; math.IsNaN(got) || math.Abs(got-want) > 1e-12*max(1, want) {
			t.Errorf("row %d: cross-entropy %.15g, want %.15g", i, got, want)
		}
		wantCorrect := 0.0
		if row[labels[i]] == row[best] {
			wantCorrect = 1
		}
		if res[1][i] != wantCorrect {
			t.Errorf("row %d: correct %g, want %g", i, res[1][i], wantCorrect)
		}
	}
	if _, err := sde.OneHot([]int{0, 3}, 3); err == nil {
		t.Error("OneHot accepted label 3 of 3 classes")
	}
}

// tinyClassifier is a 2x4x4 image classifier of three classes, nf 4,
// two resolutions.
func tinyClassifier(t *testing.T, conditional bool) *model.Classifier {
	t.Helper()
	c, err := model.NewClassifier(model.ClassifierConfig{NF: 4, ChMult: []int{1, 2}, NumResBlocks: 1, NumClasses: 3,
		ImageSize: 4, NumChannels: 2, Conditional: conditional})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// randomParams gives every parameter of specs N(0, 0.3^2) values (ones
// plus that for the GroupNorm scales), so that every path carries a
// gradient.
func randomParams(specs []model.ParamSpec, r *rand.Rand) graph.Store {
	st := graph.Store{}
	for _, p := range specs {
		v := make([]float64, p.Size())
		for i := range v {
			v[i] = 0.3 * r.NormFloat64()
			if p.Init.Kind == model.InitOnes {
				v[i]++
			}
		}
		st[p.Name] = v
	}
	return st
}

// TestClassifierLossGradientsFiniteDifferences: the gradients of the
// classifier objective (clean and noise-conditional) with respect to every
// parameter of a tiny ResNet classifier, and the guidance gradient
// d log p(y | x_t) / d x of the noise-conditional one, match central finite
// differences (float64 reference executor, fixed seed and step).
func TestClassifierLossGradientsFiniteDifferences(t *testing.T) {
	vp, err := sde.NewVP(0.1, 20, 100)
	if err != nil {
		t.Fatal(err)
	}
	const b, d, k = 3, 32, 3
	r := rand.New(rand.NewPCG(5, 6))
	x0v := make([]float64, b*d)
	for i := range x0v {
		x0v[i] = r.Float64()
	}
	onehot, _ := sde.OneHot([]int{0, 2, 1}, k)
	labels := make([]float64, len(onehot))
	for i, v := range onehot {
		labels[i] = float64(v)
	}
	for _, cond := range []bool{false, true} {
		net := tinyClassifier(t, cond)
		g := graph.New()
		x0, lb := g.Input("x0", b, d), g.Input("labels", b, k)
		ln, err := sde.BuildClassifierLoss(vp, net, x0, lb, sde.ClassifierLossConfig{NoiseConditional: cond})
		if err != nil {
			t.Fatal(err)
		}
		params := model.Trainable(g, net.Params())
		if len(params) != len(net.Params()) {
			t.Fatalf("conditional %v: %d of %d parameters in the graph", cond, len(params), len(net.Params()))
		}
		wrt := append([]*graph.Node{x0}, params...)
		grads, err := graph.Grad(ln.Loss, wrt...)
		if err != nil {
			t.Fatal(err)
		}
		ref := graph.NewReference()
		ref.Seed, ref.Step = 11, 3
		ref.Params = randomParams(net.Params(), r)
		feeds := graph.Feeds{x0: x0v, lb: labels}
		res, err := ref.Run(feeds, append([]*graph.Node{ln.Loss}, grads...)...)
		if err != nil {
			t.Fatal(err)
		}
		loss := func() float64 {
			out, err := ref.Run(feeds, ln.Loss)
			if err != nil {
				t.Fatal(err)
			}
			return out[0][0]
		}
		worst, n := 0.0, 0
		check := func(name string, vals []float64, grad []float64) {
			// Every entry of small tensors, a spread of entries of large ones.
			stride := max(1, len(vals)/7)
			for i := 0; i < len(vals); i += stride {
				v := vals[i]
				h := 1e-5 * max(1, math.Abs(v))
				vals[i] = v + h
				lp := loss()
				vals[i] = v - h
				lm := loss()
				vals[i] = v
				fd := (lp - lm) / (2 * h)
				e := math.Abs(grad[i]-fd) / (1e-3*math.Abs(res[0][0]) + math.Abs(fd) + 1e-7)
				worst = max(worst, e)
				n++
				if e > 1e-4 {
					t.Errorf("conditional %v: d loss / d %s[%d] = %.10g, finite difference %.10g", cond, name, i, grad[i], fd)
				}
			}
		}
		check("x0", x0v, res[1])
		if !cond {
			// On clean data the loss is -mean log p(y | x0): the guidance
			// gradient is -B times its gradient.
			gx, err := sde.ClassifierGuidance(net, x0, g.Fill(0, b), lb)
			if err != nil {
				t.Fatal(err)
			}
			out, err := ref.Run(feeds, gx)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range out[0] {
				if want := -b * res[1][i]; math.Abs(v-want) > 1e-9*max(1, math.Abs(want)) {
					t.Errorf("guidance gradient [%d] = %.10g, want %.10g", i, v, want)
				}
			}
		}
		for pi, p := range params {
			check(p.Name(), ref.Params[p.Name()], res[2+pi])
		}
		t.Logf("conditional %v: loss %.6g, %d entries checked, worst relative gradient error %.2g", cond, res[0][0], n, worst)
	}
}

// TestClassifierLossErrors: labels of the wrong shape and a classifier for
// other images are errors, not panics.
func TestClassifierLossErrors(t *testing.T) {
	vp, err := sde.NewVP(0.1, 20, 100)
	if err != nil {
		t.Fatal(err)
	}
	net := tinyClassifier(t, true)
	for name, shapes := range map[string][2][]int{
		"labels rows":    {{3, 32}, {2, 3}},
		"labels classes": {{3, 32}, {3, 4}},
		"image size":     {{3, 50}, {3, 3}},
	} {
		g := graph.New()
		x0, lb := g.Input("x0", shapes[0]...), g.Input("labels", shapes[1]...)
		if _, err := sde.BuildClassifierLoss(vp, net, x0, lb, sde.ClassifierLossConfig{NoiseConditional: true}); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
