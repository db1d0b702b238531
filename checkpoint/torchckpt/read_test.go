package torchckpt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is one of score_sde's checkpoints in testdata/score_sde (see its
// README.md), with facts about it read off score_sde's code.
type fixture struct {
	dir     string
	entries int    // state dict entries: parameters and the buffer sigmas
	frozen  string // the parameter absent from shadow_params, if any
	shapes  map[string][]int
}

var fixtures = []fixture{
	{dir: "ddpm_vp", entries: 135, shapes: map[string][]int{
		"all_modules.0.weight": {128, 32}, "all_modules.2.weight": {32, 3, 3, 3}}},
	{dir: "ddpmpp_vp", entries: 155, shapes: map[string][]int{
		"all_modules.0.weight": {64, 16}, "all_modules.2.weight": {16, 3, 3, 3}, "sigmas": {1000}}},
	{dir: "ncsnpp_ve", entries: 158, frozen: "all_modules.0.W", shapes: map[string][]int{
		"all_modules.0.W": {16}, "all_modules.1.weight": {64, 32}, "all_modules.3.weight": {16, 3, 3, 3},
		"all_modules.8.NIN_0.W": {32, 32}, "sigmas": {1000}}},
	// score_sde's sub-VP NCSN++ config uses the positional embedding: no W.
	{dir: "ncsnpp_subvp", entries: 157, shapes: map[string][]int{
		"all_modules.2.weight": {16, 1, 3, 3}, "sigmas": {1000}}},
}

func fixturePath(dir, file string) string { return filepath.Join("testdata", "score_sde", dir, file) }

// metaParams is score_sde's parameter count, from meta.json.
func metaParams(t *testing.T, dir string) int {
	raw, err := os.ReadFile(fixturePath(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Params int }
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Params
}

func TestReadScoreSDEFixtures(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.dir, func(t *testing.T) {
			c, err := Read(fixturePath(f.dir, "checkpoint.pth"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Step != 1234 {
				t.Errorf("step %d, want 1234", c.Step)
			}
			if len(c.State) != f.entries {
				t.Errorf("%d state dict entries, want %d", len(c.State), f.entries)
			}
			for name, shape := range f.shapes {
				e, ok := c.Lookup(name)
				if !ok {
					t.Errorf("no entry %s", name)
				} else if !slices.Equal(e.Shape, shape) {
					t.Errorf("%s has shape %v, want %v", name, e.Shape, shape)
				}
			}
			params := c.Params()
			if len(params) != len(c.State)-1 {
				t.Errorf("%d parameters of %d entries, want all but the buffer sigmas", len(params), len(c.State))
			}
			n := 0
			for _, e := range c.State {
				if strings.HasPrefix(e.Name, "module.") {
					t.Errorf("entry %s kept the DataParallel prefix", e.Name)
				}
				if len(e.Data) == 0 {
					t.Errorf("entry %s is empty", e.Name)
				}
				if !e.Buffer {
					n += len(e.Data)
				}
			}
			if want := metaParams(t, f.dir); n != want {
				t.Errorf("%d parameter values, score_sde counts %d", n, want)
			}
			var trainable []string
			for _, e := range params {
				if e.Name != f.frozen {
					trainable = append(trainable, e.Name)
				}
			}
			if len(c.EMA) != len(trainable) {
				t.Fatalf("%d shadow parameters, want %d (the parameters less the frozen W)", len(c.EMA), len(trainable))
			}
			ema, err := c.EMAState(trainable)
			if err != nil {
				t.Fatal(err)
			}
			if len(ema) != len(trainable) {
				t.Errorf("EMAState gave %d tensors, want %d", len(ema), len(trainable))
			}
			if c.EMADecay <= 0 || c.EMADecay >= 1 {
				t.Errorf("ema decay %v, want in (0, 1)", c.EMADecay)
			}
		})
	}
}

// sigmas is float64 in score_sde: it must come out converted, in order.
func TestReadScoreSDEConvertsDoubleBuffer(t *testing.T) {
	c, err := Read(fixturePath("ncsnpp_ve", "checkpoint.pth"))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := c.Lookup("sigmas")
	if !ok || !s.Buffer {
		t.Fatalf("sigmas missing or not marked a buffer: %+v", s.Shape)
	}
	// VE: sigmas = exp(linspace(log 50, log 0.01, 1000)), decreasing.
	if d := s.Data[0] - 50; d*d > 1e-6 || s.Data[999] < 0.0099 || s.Data[999] > 0.0101 {
		t.Errorf("sigmas run %v..%v, want 50..0.01", s.Data[0], s.Data[999])
	}
}
