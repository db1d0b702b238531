package vkexec

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

func toF32(v []float64) []float32 {
	f := make([]float32, len(v))
	for i := range v {
		f[i] = float32(v[i])
	}
	return f
}

func randv(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*r.Float64() - 1
	}
	return v
}

// compare runs outputs on the device and on the reference executor with the
// same inputs and parameters.
func compare(t *testing.T, e *Executor, ref *graph.Reference, feeds graph.Feeds, rel, abs float64, outputs ...*graph.Node) *Program {
	t.Helper()
	for name, v := range ref.Params {
		n := outputs[0].Graph().Lookup(name)
		if err := e.Params.Set(name, n.Shape(), toF32(v)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := e.Compile(outputs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Release)
	if err := p.Plan().Validate(); err != nil { // with fused runs and reshape aliases
		t.Fatal(err)
	}
	for n, v := range feeds {
		if err := p.SetInput(n.Name(), toF32(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Run(ref.Seed, ref.Step); err != nil {
		t.Fatal(err)
	}
	want, err := ref.Run(feeds, outputs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outputs {
		got, err := p.Read(o)
		if err != nil {
			t.Fatal(err)
		}
		vktest.Close(t, o.String(), got, want[i], rel, abs)
	}
	return p
}

func TestElementwiseGraph(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(5, 6))
	g := graph.New()
	x := g.Input("x", 64, 37)
	b := g.Param("b", 37)
	y := graph.Add(x, b)
	acts := []*graph.Node{graph.SiLU(y), graph.Tanh(y), graph.Softplus(y), graph.GELU(y), graph.ELU(y, 0.5),
		graph.Sigmoid(y), graph.Scale(y, -2), graph.Square(y), graph.Exp(y), graph.ReLU(y)}
	z := acts[0]
	for _, a := range acts[1:] {
		z = graph.Add(z, a)
	}
	z = graph.Div(graph.Mul(z, x), graph.AddScalar(graph.Square(x), 1))
	z = graph.Reshape(z, 64*37)
	ref := graph.NewReference()
	ref.Params["b"] = randv(r, 37)
	feeds := graph.Feeds{x: randv(r, 64*37)}
	p := compare(t, e, ref, feeds, 1e-5, 1e-5, z)
	if p.Plan().ArenaBytes >= p.Plan().SumBytes {
		t.Errorf("planned arena %d bytes is not below the unplanned sum %d", p.Plan().ArenaBytes, p.Plan().SumBytes)
	}
}

func TestReductionsAndRandomGraph(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(7, 8))
	g := graph.New()
	x := g.Input("x", 3, 4, 5, 6)
	outs := []*graph.Node{
		graph.ReduceSum(x, []int{1}, false),
		graph.ReduceMean(x, []int{1, 2}, true),
		graph.ReduceMax(x, []int{0, 3}, false),
		graph.ReduceSum(x, []int{0, 2}, true),
		graph.ReduceMean(x, []int{0, 1, 2, 3}, false),
		g.RandNormal(3, 5, 7),
		g.RandUniform(4, 9),
		g.RandRademacher(5, 3),
		graph.Dropout(x, 0.3, 11),
	}
	ref := graph.NewReference()
	ref.Seed, ref.Step = 99, 4
	compare(t, e, ref, graph.Feeds{x: randv(r, 3*4*5*6)}, 2e-5, 2e-5, outs...)
}

func TestAttentionAndEmbeddingGraph(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(9, 10))
	g := graph.New()
	q, k, v := g.Input("q", 2, 6, 3, 4), g.Input("k", 2, 6, 3, 4), g.Input("v", 2, 6, 3, 4)
	gy := g.Input("gy", 2, 6, 3, 4)
	tt := g.Input("t", 5)
	w := g.Param("w", 3)
	att := graph.Attention(q, k, v, 2)
	grads, err := graph.VJP([]*graph.Node{att}, []*graph.Node{gy}, []*graph.Node{q, k, v})
	if err != nil {
		t.Fatal(err)
	}
	emb := graph.FourierEmbed(tt, w)
	ref := graph.NewReference()
	ref.Params["w"] = randv(r, 3)
	n := 2 * 6 * 12
	feeds := graph.Feeds{q: randv(r, n), k: randv(r, n), v: randv(r, n), gy: randv(r, n), tt: randv(r, 5)}
	compare(t, e, ref, feeds, 1e-4, 1e-5, append([]*graph.Node{att, emb}, grads...)...)
}

func TestShapeOpsGraph(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(11, 12))
	g := graph.New()
	x := g.Input("x", 2, 3, 5)
	y := g.Input("y", 2, 4, 5)
	outs := []*graph.Node{
		graph.Transpose(x, 2, 0, 1),
		graph.Slice(x, []int{0, 1, 1}, []int{2, 3, 4}),
		graph.Pad(x, []int{1, 0, 2}, []int{0, 1, 1}),
		graph.Concat(1, x, y, x),
		graph.BroadcastTo(g.Input("b", 3, 1), 2, 3, 4),
	}
	feeds := graph.Feeds{x: randv(r, 30), y: randv(r, 40), g.Lookup("b"): randv(r, 3)}
	compare(t, e, graph.NewReference(), feeds, 1e-7, 0, outs...) // exact up to float32 rounding
}

func TestMatMulAndResampleGraph(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	e := New(dev)
	r := rand.New(rand.NewPCG(13, 14))
	g := graph.New()
	a := g.Input("a", 3, 7, 5)
	b := g.Input("b", 5, 9)
	c := g.Input("c", 3, 9, 5)
	img := g.Input("img", 2, 3, 6, 4)
	outs := []*graph.Node{
		graph.MatMul(a, b),
		graph.MatMulT(a, c, false, true),
		graph.MatMulT(b, a, true, true),
		graph.Upsample2x(img),
		graph.AvgPool2x(img),
	}
	feeds := graph.Feeds{a: randv(r, 105), b: randv(r, 45), c: randv(r, 135), img: randv(r, 144)}
	compare(t, e, graph.NewReference(), feeds, 1e-5, 1e-5, outs...)
}

// TestParamStorePack: packed parameters keep their values, lie at bindable
// offsets of one buffer with zeros between them, stay writable by Set, and
// an unknown name moves nothing.
func TestParamStorePack(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	s := NewParamStore(dev)
	defer s.Release()
	r := rand.New(rand.NewPCG(41, 42))
	shapes := map[string]graph.Shape{"a": {3, 5}, "b": {7}, "c": {2, 2, 2}}
	vals := map[string][]float32{}
	for name, sh := range shapes {
		vals[name] = toF32(randv(r, sh.Size()))
		if err := s.Set(name, sh, vals[name]); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := s.Pack([]string{"a", "zz"}); err == nil || !strings.Contains(err.Error(), `no param "zz"`) {
		t.Errorf("packing an unknown param: got %v", err)
	}
	flat, offs, n, err := s.Pack([]string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	align := int(dev.ViewAlign() / 4)
	all := make([]float32, n)
	if err := flat.Download(all); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"a", "b", "c"} {
		if offs[i]%align != 0 {
			t.Errorf("%s at %d, not a multiple of %d", name, offs[i], align)
		}
		got, _ := s.Get(name)
		for j, v := range vals[name] {
			if got[j] != v || all[offs[i]+j] != v {
				t.Fatalf("%s[%d] = %v (flat %v), want %v", name, j, got[j], all[offs[i]+j], v)
			}
		}
		for j := offs[i] + shapes[name].Size(); j < n && (i+1 == len(offs) || j < offs[i+1]); j++ {
			if all[j] != 0 {
				t.Fatalf("gap after %s: %v at %d", name, all[j], j)
			}
		}
	}
	if err := s.Set("b", shapes["b"], make([]float32, 7)); err != nil {
		t.Fatal(err)
	}
	flat.Download(all)
	if all[offs[1]] != 0 || all[offs[0]] != vals["a"][0] {
		t.Errorf("Set after Pack did not write the packed view")
	}
}
