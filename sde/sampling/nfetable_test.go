package sampling

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/config"
	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/vk"
)

// TestNFETable measures, on each shipped Gaussian-mixture config with the
// oracle score, the NFE at which each sampler's energy distance to exact
// samples (averaged over two exact reference sets) first falls within 2x
// the exact-vs-exact noise floor of data.Evaluate, next to
// PC-1000, EM-1000 and RK45. It is the README's "Fast samplers" table and
// runs only when SDEVK_NFE_TABLE names the output file (scripts/nfe-table.sh);
// SDEVK_NFE_N sets the sample count (default 10,000), and SDEVK_NFE_CONFIGS
// and SDEVK_NFE_SAMPLERS (comma-separated config names and row labels, e.g.
// "vp_dsm,subvp_dsm" and "dpmpp2m,em") measure a subset.
func TestNFETable(t *testing.T) {
	out := os.Getenv("SDEVK_NFE_TABLE")
	if out == "" {
		t.Skip("set SDEVK_NFE_TABLE=file to measure the NFE table (scripts/nfe-table.sh)")
	}
	n := 10000
	if v := os.Getenv("SDEVK_NFE_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			t.Fatalf("SDEVK_NFE_N=%q: want an integer >= 100", v)
		}
	}
	dev, err := vk.Open(vk.Options{})
	if err != nil {
		t.Skip(err)
	}
	defer dev.Close()
	backend := &Device{Dev: dev}
	var b strings.Builder
	fmt.Fprintf(&b, "| config (SDE) | sampler | NFE to <= 2x floor | ratio there | ratio at largest NFE tried |\n|---|---|---|---|---|\n")
	keep := rowFilter(os.Getenv("SDEVK_NFE_SAMPLERS"))
	for _, name := range []string{"vp_dsm", "subvp_dsm", "ve_dsm", "ncsn_toy"} {
		if !rowFilter(os.Getenv("SDEVK_NFE_CONFIGS"))(name) {
			continue
		}
		rows, err := nfeRows(backend, filepath.Join("..", "..", "configs", name+".toml"), n, keep)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s |\n", name, r)
		}
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
}

// errSkipped marks a row that the filter leaves out.
var errSkipped = errors.New("row not selected")

// rowFilter accepts every name when list is empty, else the names in the
// comma-separated list and the labels that start with one of them followed
// by a space or a dash ("pc" keeps "pc-1000 (...)", "ddim" both DDIM rows).
func rowFilter(list string) func(string) bool {
	if strings.TrimSpace(list) == "" {
		return func(string) bool { return true }
	}
	names := strings.Split(list, ",")
	return func(label string) bool {
		for _, n := range names {
			n = strings.TrimSpace(n)
			if label == n || strings.HasPrefix(label, n+" ") || strings.HasPrefix(label, n+"-") {
				return true
			}
		}
		return false
	}
}

// nfeRows measures the samplers whose row label keep accepts on one config.
func nfeRows(backend Backend, path string, n int, keep func(string) bool) ([]string, error) {
	c, err := config.Load(path, nil)
	if err != nil {
		return nil, err
	}
	g, err := c.GMM()
	if err != nil {
		return nil, err
	}
	ds, err := c.Dataset()
	if err != nil {
		return nil, err
	}
	d := ds.Dim()
	// The floor once, from data.Evaluate; each sample set is then scored
	// against one fresh exact set.
	ev, err := data.Evaluate(ds, ds.Sample(n, rand.New(rand.NewPCG(1, 2))), c.Seed, 5)
	if err != nil {
		return nil, err
	}
	// Two exact reference sets: a single set's own fluctuation is of the
	// order of the floor, and would be shared by every sampler.
	var refs []*data.EnergyRef
	for k := uint64(0); k < 2; k++ {
		ref, err := data.NewEnergyRef(ds.Sample(n, rand.New(rand.NewPCG(3, k))), d)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	sample := func(m Method, set func(*config.Config)) (ratio float64, nfe int, err error) {
		cc := *c
		if cc.Sampling.Method = string(m); Method(c.Sampling.Method).LangevinFamily() {
			cc.Sampling.NStepsEach = 1 // corrector steps, not ald's steps per level
		}
		set(&cc)
		r, err := NewRequest(&cc, m, n, d, c.Seed, OracleModel(g))
		if err != nil {
			return 0, 0, err
		}
		x, nfe, err := backend.Sample(context.Background(), r)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %s: %w", path, r.Describe(), err)
		}
		var e float64
		for _, ref := range refs {
			v, err := ref.Distance(x)
			if err != nil {
				return 0, 0, err
			}
			e += v / float64(len(refs))
		}
		return e / ev.NoiseFloor, nfe, nil
	}
	// ladder runs the settings in order of cost until one reaches 2x.
	ladder := func(label string, m Method, k int, set func(*config.Config, int)) (string, error) {
		if !keep(label) {
			return "", errSkipped
		}
		last := 0.0
		for i := 0; i < k; i++ {
			ratio, nfe, err := sample(m, func(cc *config.Config) { set(cc, i) })
			if err != nil {
				return "", err
			}
			last = ratio
			if ratio <= 2 {
				return fmt.Sprintf("%s | %d | %.2f | ", label, nfe, ratio), nil
			}
		}
		return fmt.Sprintf("%s | not reached | | %.2f", label, last), nil
	}
	var rows []string
	add := func(s string, err error) error {
		if err == errSkipped {
			return nil
		}
		if err == nil {
			rows = append(rows, s)
		}
		return err
	}
	// fixed reports one run: its NFE in parentheses and its ratio.
	fixed := func(label string, m Method, set func(*config.Config)) error {
		if !keep(label) {
			return nil
		}
		ratio, nfe, err := sample(m, set)
		rows = append(rows, fmt.Sprintf("%s | (%d) | | %.2f", label, nfe, ratio))
		return err
	}
	pcLabel := "pc-1000 (" + c.Sampling.Predictor + " + " + c.Sampling.Corrector + ")"
	if err := fixed(pcLabel, PC, func(cc *config.Config) { cc.Sampling.NSteps = 1000 }); err != nil {
		return nil, err
	}
	if err := fixed("em-1000", EM, func(cc *config.Config) { cc.Sampling.NSteps = 1000 }); err != nil {
		return nil, err
	}
	if err := fixed("rk45 (1e-5)", ODE, func(cc *config.Config) { cc.Sampling.ODESolver = "rk45" }); err != nil {
		return nil, err
	}
	emSteps := []int{25, 35, 50, 70, 100, 150, 200, 300, 500, 1000}
	if err := add(ladder("em", EM, len(emSteps), func(cc *config.Config, i int) { cc.Sampling.NSteps = emSteps[i] })); err != nil {
		return nil, err
	}
	tols := []float64{0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005}
	if err := add(ladder("adaptive", Adaptive, len(tols), func(cc *config.Config, i int) {
		cc.Sampling.AdaptiveRTol, cc.Sampling.AdaptiveATol = tols[i], tols[i]
	})); err != nil {
		return nil, err
	}
	one := []int{4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 60, 100}
	three := []int{2, 3, 4, 5, 7, 10, 14, 20, 33}
	for _, m := range []struct {
		label string
		m     Method
		steps []int
		set   func(*config.Config)
	}{
		{"ddim (eta 0)", DDIM, one, nil},
		{"ddim (eta 1)", DDIM, one, func(cc *config.Config) { cc.Sampling.Eta = 1 }},
		{"dpmpp2m", DPMPP2M, one, nil},
		{"dpmpp3s", DPMPP3S, three, nil},
		{"unipc", UniPC, one, nil},
		{"dpm (order 3)", DPM, three, nil},
		{"euler (karras)", Euler, one, nil},
		{"heun (karras)", Heun, one[:11], nil},
		{"edm-sde (s_churn 40)", EDMSDE, one[:11], nil},
	} {
		steps := m.steps
		if err := add(ladder(m.label, m.m, len(steps), func(cc *config.Config, i int) {
			cc.Sampling.FastSteps = steps[i]
			if m.set != nil {
				m.set(cc)
			}
		})); err != nil {
			return nil, err
		}
	}
	return rows, nil
}
