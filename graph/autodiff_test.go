package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdevk/sdevk/graph/optest/fd"
)

// mlpScoreNet builds a 2 -> 16 -> 16 -> 2 score network with a Gaussian
// Fourier time embedding and SiLU, and registers random parameters in ref.
func mlpScoreNet(g *Graph, ref *Reference, r *rand.Rand, x, t *Node) (s *Node, params []*Node) {
	dense := func(name string, h *Node, in, out int) *Node {
		w := g.Param(name+".w", in, out)
		b := g.Param(name+".b", out)
		ref.Params[w.Name()] = fd.Draw(r, in*out, fd.AnyReal)
		ref.Params[b.Name()] = fd.Draw(r, out, fd.AnyReal)
		for i := range ref.Params[w.Name()] {
			ref.Params[w.Name()][i] /= math.Sqrt(float64(in))
		}
		params = append(params, w, b)
		return Add(MatMul(h, w), b)
	}
	emb := GaussianFourierEmbed(t, g.Const(GaussianFourierWeights(8, 16, 3), 8)) // [B, 16]
	temb := SiLU(dense("temb", emb, 16, 16))
	h := SiLU(Add(dense("l1", x, 2, 16), temb))
	h = SiLU(dense("l2", h, 16, 16))
	return dense("out", h, 16, 2), params
}

func flatParams(ref *Reference, ps []*Node) [][]float64 {
	v := make([][]float64, len(ps))
	for i, p := range ps {
		v[i] = ref.Params[p.Name()]
	}
	return v
}

// TestHessianVectorMLP checks the Hessian-vector product of a denoising
// score-matching loss of an MLP score network against finite differences
// of its gradient.
func TestHessianVectorMLP(t *testing.T) {
	const B = 5
	r := rand.New(rand.NewPCG(1, 2))
	g := New()
	ref := NewReference()
	ref.Seed, ref.Step = 9, 3
	x0 := g.Input("x0", B, 2)
	tt := g.Input("t", B)
	std := Exp(Affine(tt, math.Log(50/0.01), math.Log(0.01))) // VE sigma(t)
	stdc := Reshape(std, B, 1)
	z := g.RandNormal(1, B, 2)
	xt := Add(x0, Mul(stdc, z))
	s, params := mlpScoreNet(g, ref, r, xt, Log(std))
	loss := Scale(Sum(Square(Add(Mul(s, stdc), z))), 1.0/B)
	grads, err := Grad(loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	var gv *Node
	vs := make([][]float64, len(params))
	for i, p := range params {
		vs[i] = fd.Draw(r, p.shape.Size(), fd.AnyReal)
		term := Sum(Mul(grads[i], g.Const(vs[i], p.shape...)))
		if gv == nil {
			gv = term
		} else {
			gv = Add(gv, term)
		}
	}
	hv, err := Grad(gv, params...)
	if err != nil {
		t.Fatal(err)
	}
	feeds := Feeds{x0: fd.Draw(r, 2*B, fd.AnyReal), tt: []float64{0.1, 0.3, 0.5, 0.7, 0.9}}
	got := run(t, ref, feeds, hv...)

	const h = 1e-5
	pv := flatParams(ref, params)
	shift := func(sign float64) [][]float64 {
		for i := range pv {
			for j := range pv[i] {
				pv[i][j] += sign * h * vs[i][j]
			}
		}
		return run(t, ref, feeds, grads...)
	}
	gp := shift(1)
	gm := shift(-2)
	shift(1)
	for i := range params {
		fd := make([]float64, len(gp[i]))
		for j := range fd {
			fd[j] = (gp[i][j] - gm[i][j]) / (2 * h)
		}
		checkClose(t, "Hv of "+params[i].Name(), got[i], fd, 1e-5)
	}
}

// TestSlicedScoreMatching differentiates the SSM-VR objective
// E[v^T (ds/dx) v + |s|^2/2], whose v^T (ds/dx) v is itself a gradient,
// with respect to the parameters and compares with finite differences.
func TestSlicedScoreMatching(t *testing.T) {
	const B = 4
	r := rand.New(rand.NewPCG(5, 6))
	g := New()
	ref := NewReference()
	ref.Seed, ref.Step = 1, 1
	x := g.Input("x", B, 2)
	tt := g.Input("t", B)
	s, params := mlpScoreNet(g, ref, r, x, tt)
	v := g.RandRademacher(2, B, 2)
	jv, err := Grad(Sum(Mul(v, s)), x) // (ds/dx)^T v per sample
	if err != nil {
		t.Fatal(err)
	}
	vjv := Sum(Mul(v, jv[0]))
	loss := Scale(Add(vjv, Scale(Sum(Square(s)), 0.5)), 1.0/B)
	grads, err := Grad(loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	feeds := Feeds{x: fd.Draw(r, 2*B, fd.AnyReal), tt: fd.Draw(r, B, fd.Positive)}

	// v^T (ds/dx) v against finite differences of s along v.
	out := run(t, ref, feeds, vjv, v)
	vv := out[1]
	xv := feeds[x]
	const h = 1e-5
	sAt := func(sign float64) []float64 {
		xs := append([]float64(nil), xv...)
		for i := range xs {
			xs[i] += sign * h * vv[i]
		}
		return run(t, ref, Feeds{x: xs, tt: feeds[tt]}, s)[0]
	}
	sp, sm := sAt(1), sAt(-1)
	fd := 0.0
	for i := range sp {
		fd += vv[i] * (sp[i] - sm[i]) / (2 * h)
	}
	checkClose(t, "v^T (ds/dx) v", out[0], []float64{fd}, 1e-6)
	for _, v := range vv {
		if v != 1 && v != -1 {
			t.Fatalf("Rademacher value %g", v)
		}
	}

	got := run(t, ref, feeds, grads...)
	fdCheck(t, "dSSM/dparams", flatParams(ref, params), got, func() float64 { return run(t, ref, feeds, loss)[0][0] }, 1e-6)
}

func TestGradErrors(t *testing.T) {
	g := New()
	x := g.Input("x", 3)
	if _, err := Grad(x, x); err == nil {
		t.Error("Grad of a non-scalar succeeded")
	}
	y := Sum(Square(x))
	other := New().Input("z", 1)
	if _, err := Grad(y, other); err == nil {
		t.Error("Grad wrt a node of another graph succeeded")
	}
	// A wrt node the loss does not depend on gets zeros.
	u := g.Input("u", 2)
	gs, err := Grad(y, x, u)
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, NewReference(), Feeds{x: []float64{1, 2, 3}, u: []float64{5, 6}}, gs...)
	checkClose(t, "dy/dx", res[0], []float64{2, 4, 6}, 0)
	checkClose(t, "dy/du", res[1], []float64{0, 0}, 0)
}

// TestVJPSeed checks VJP with an explicit cotangent on a non-scalar output.
func TestVJPSeed(t *testing.T) {
	g := New()
	x := g.Input("x", 2, 3)
	y := Tanh(x)
	ct := g.Const([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	gs, err := VJP([]*Node{y}, []*Node{ct}, []*Node{x})
	if err != nil {
		t.Fatal(err)
	}
	xv := []float64{0.1, -0.2, 0.3, 0.4, -0.5, 0.6}
	want := make([]float64, 6)
	for i, v := range xv {
		want[i] = float64(i+1) * (1 - math.Tanh(v)*math.Tanh(v))
	}
	checkClose(t, "VJP", run(t, NewReference(), Feeds{x: xv}, gs[0])[0], want, 1e-14)
}

// TestJVP compares the forward-mode product (ds/dx) u of the MLP score
// network with finite differences.
func TestJVP(t *testing.T) {
	const B = 3
	r := rand.New(rand.NewPCG(7, 7))
	g := New()
	ref := NewReference()
	x := g.Input("x", B, 2)
	tt := g.Input("t", B)
	s, _ := mlpScoreNet(g, ref, r, x, tt)
	u := fd.Draw(r, 2*B, fd.AnyReal)
	js, err := JVP([]*Node{s}, []*Node{x}, []*Node{g.Const(u, B, 2)})
	if err != nil {
		t.Fatal(err)
	}
	xv, tv := fd.Draw(r, 2*B, fd.AnyReal), fd.Draw(r, B, fd.Positive)
	got := run(t, ref, Feeds{x: xv, tt: tv}, js[0])[0]
	const h = 1e-5
	at := func(sign float64) []float64 {
		xs := append([]float64(nil), xv...)
		for i := range xs {
			xs[i] += sign * h * u[i]
		}
		return run(t, ref, Feeds{x: xs, tt: tv}, s)[0]
	}
	sp, sm := at(1), at(-1)
	fd := make([]float64, len(sp))
	for i := range fd {
		fd[i] = (sp[i] - sm[i]) / (2 * h)
	}
	checkClose(t, "JVP", got, fd, 1e-6)
}
