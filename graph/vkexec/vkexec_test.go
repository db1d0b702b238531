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

// runProgram compiles outputs, checks the plan, feeds the inputs and runs
// the program once; the caller releases it.
func runProgram(e *Executor, seed uint64, step uint32, feeds graph.Feeds, outputs ...*graph.Node) (*Program, error) {
	p, err := e.Compile(outputs...)
	if err != nil {
		return nil, err
	}
	err = p.Plan().Validate() // with fused runs and reshape aliases
	for n, v := range feeds {
		if err == nil {
			err = p.SetInput(n.Name(), toF32(v))
		}
	}
	if err == nil {
		err = p.Run(seed, step)
	}
	if err != nil {
		p.Release()
		return nil, err
	}
	return p, nil
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
	p, err := runProgram(e, ref.Seed, ref.Step, feeds, outputs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Release)
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
