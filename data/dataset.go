package data

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Dataset is a source of points.
type Dataset interface {
	Name() string
	Dim() int
	// Sample draws n points (n*Dim values, row-major).
	Sample(n int, r *rand.Rand) []float64
}

// Mixture is a Dataset that is a Gaussian mixture, so oracle scores, exact
// log-densities and per-mode weights are available.
type Mixture interface {
	Dataset
	GMM() *GMM
}

// Sample draws n points from the mixture.
func (g *GMM) Sample(n int, r *rand.Rand) []float64 {
	x, _ := g.SampleLabels(n, r)
	return x
}

// SampleLabels draws n points and the component each came from.
func (g *GMM) SampleLabels(n int, r *rand.Rand) ([]float64, []int) {
	d := g.d
	x := make([]float64, n*d)
	lab := make([]int, n)
	z := make([]float64, d)
	for i := 0; i < n; i++ {
		u := r.Float64()
		k := 0
		for acc := g.comps[0].w; k < len(g.comps)-1 && u >= acc; {
			k++
			acc += g.comps[k].w
		}
		lab[i] = k
		c := g.comps[k]
		for j := range z {
			z[j] = r.NormFloat64() * sqrtPos(c.lam[j])
		}
		row := x[i*d : (i+1)*d]
		if c.iso {
			for j := range row {
				row[j] = c.mu[j] + z[j]
			}
			continue
		}
		for j := 0; j < d; j++ {
			acc := c.mu[j]
			for l := 0; l < d; l++ {
				acc += c.q[j*d+l] * z[l]
			}
			row[j] = acc
		}
	}
	return x, lab
}

type builtin struct {
	name string
	gmm  *GMM // nil when not a mixture
	fn   func(n int, r *rand.Rand) []float64
}

func (b *builtin) Name() string { return b.name }
func (b *builtin) Dim() int     { return 2 }
func (b *builtin) Sample(n int, r *rand.Rand) []float64 {
	if b.gmm != nil {
		return b.gmm.Sample(n, r)
	}
	return b.fn(n, r)
}

type builtinMixture struct{ *builtin }

func (b builtinMixture) GMM() *GMM { return b.gmm }

var builtins = map[string]func() Dataset{
	"swiss_roll":   func() Dataset { return &builtin{name: "swiss_roll", fn: swissRoll} },
	"moons":        func() Dataset { return &builtin{name: "moons", fn: moons} },
	"8gaussians":   func() Dataset { return builtinMixture{&builtin{name: "8gaussians", gmm: EightGaussians()}} },
	"25gaussians":  func() Dataset { return builtinMixture{&builtin{name: "25gaussians", gmm: TwentyFiveGaussians()}} },
	"checkerboard": func() Dataset { return &builtin{name: "checkerboard", fn: checkerboard} },
	"rings":        func() Dataset { return &builtin{name: "rings", fn: rings} },
	"ncsn_toy":     func() Dataset { return builtinMixture{&builtin{name: "ncsn_toy", gmm: NCSNToy()}} },
}

// BuiltinNames lists the built-in 2-D data sets.
func BuiltinNames() []string {
	var names []string
	for k := range builtins {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Builtin returns a built-in 2-D data set by name. Sets that are Gaussian
// mixtures (8gaussians, 25gaussians, ncsn_toy) implement Mixture.
func Builtin(name string) (Dataset, error) {
	f, ok := builtins[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("data: unknown built-in data set %q (want one of %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	return f(), nil
}
