package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBuiltins(t *testing.T) {
	cases := []struct {
		name    string
		mixture bool
		k       int
		check   func(x, y float64) bool
	}{
		{"swiss_roll", false, 0, func(x, y float64) bool { return math.Hypot(x, y) < 4 }},
		{"moons", false, 0, func(x, y float64) bool { return x > -4 && x < 4 && y > -2.5 && y < 2.5 }},
		{"8gaussians", true, 8, func(x, y float64) bool { return math.Abs(math.Hypot(x, y)-2.83) < 2 }},
		{"25gaussians", true, 25, func(x, y float64) bool { return math.Abs(x) < 2 && math.Abs(y) < 2 }},
		{"checkerboard", false, 0, func(x, y float64) bool {
			// squares with floor(x/2) + floor(y/2) even
			return x >= -4 && x <= 4 && y >= -4 && y <= 4 && (int(math.Floor(x/2))+int(math.Floor(y/2)))%2 == 0
		}},
		{"rings", false, 0, func(x, y float64) bool {
			r := math.Hypot(x, y)
			for _, rad := range []float64{3, 2.25, 1.5, 0.75} {
				if math.Abs(r-rad) < 0.5 {
					return true
				}
			}
			return false
		}},
		{"ncsn_toy", true, 2, func(x, y float64) bool { return math.Abs(math.Abs(x)-5) < 6 }},
	}
	if len(cases) != len(BuiltinNames()) {
		t.Fatalf("names %v", BuiltinNames())
	}
	r := rand.New(rand.NewPCG(9, 9))
	for _, c := range cases {
		ds, err := Builtin(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Dim() != 2 || ds.Name() != c.name {
			t.Errorf("%s: dim %d name %s", c.name, ds.Dim(), ds.Name())
		}
		x := ds.Sample(2000, r)
		bad := 0
		for i := 0; i < 2000; i++ {
			if math.IsNaN(x[2*i]) || !c.check(x[2*i], x[2*i+1]) {
				bad++
			}
		}
		if bad > 10 {
			t.Errorf("%s: %d of 2000 points outside the expected support", c.name, bad)
		}
		m, ok := ds.(Mixture)
		if ok != c.mixture {
			t.Errorf("%s: Mixture = %v", c.name, ok)
		}
		if ok && m.GMM().K() != c.k {
			t.Errorf("%s: %d components", c.name, m.GMM().K())
		}
	}
	if _, err := Builtin("spiral"); err == nil {
		t.Error("unknown name accepted")
	}
}

func TestNCSNToy(t *testing.T) {
	g := NCSNToy()
	if w := g.Weights(); w[0] != 0.8 || w[1] != 0.2 {
		t.Errorf("weights %v", w)
	}
	if d := g.MaxMeanDistance(); math.Abs(d-10*math.Sqrt2) > 1e-12 {
		t.Errorf("max mean distance %g", d)
	}
}
