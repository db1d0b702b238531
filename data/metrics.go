package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

func dist(a, b []float64) float64 {
	s := 0.0
	for j := range a {
		v := a[j] - b[j]
		s += v * v
	}
	return math.Sqrt(s)
}

// meanPairDist is (1 / (n m)) sum_ij |x_i - y_j|, with the diagonal (zero
// distances) included when x and y are the same set: the V-statistic.
func meanPairDist(x, y []float64, d int) float64 {
	n, m := len(x)/d, len(y)/d
	var mu sync.Mutex
	total := 0.0
	parallelFor(n, 64, func(lo, hi int) {
		s := 0.0
		for i := lo; i < hi; i++ {
			xi := x[i*d : (i+1)*d]
			for j := 0; j < m; j++ {
				s += dist(xi, y[j*d:(j+1)*d])
			}
		}
		mu.Lock()
		total += s
		mu.Unlock()
	})
	return total / float64(n*m)
}

// EnergyDistance is the V-statistic estimate of the squared energy distance
// 2 E|X-Y| - E|X-X'| - E|Y-Y'| between the point sets x and y (dcor's
// default). It is non-negative, and for two independent samples of one
// distribution its expectation is about E|X-X'| (1/n + 1/m): that is the
// noise floor (NoiseFloor) against which samplers are judged.
func EnergyDistance(x, y []float64, d int) (float64, error) {
	if err := checkSets(x, y, d); err != nil {
		return 0, err
	}
	return 2*meanPairDist(x, y, d) - meanPairDist(x, x, d) - meanPairDist(y, y, d), nil
}

// EnergyRef caches a reference set's self term so that many samples can be
// scored against it at two thirds of the cost.
type EnergyRef struct {
	ref  []float64
	d    int
	self float64
}

// NewEnergyRef prepares ref (N*D values) as an energy-distance reference.
func NewEnergyRef(ref []float64, d int) (*EnergyRef, error) {
	if err := checkSets(ref, ref, d); err != nil {
		return nil, err
	}
	return &EnergyRef{ref: ref, d: d, self: meanPairDist(ref, ref, d)}, nil
}

// Distance is EnergyDistance(x, ref).
func (e *EnergyRef) Distance(x []float64) (float64, error) {
	if err := checkSets(x, e.ref, e.d); err != nil {
		return 0, err
	}
	return 2*meanPairDist(x, e.ref, e.d) - meanPairDist(x, x, e.d) - e.self, nil
}

func checkSets(x, y []float64, d int) error {
	if d <= 0 || len(x)%d != 0 || len(y)%d != 0 || len(x) == 0 || len(y) == 0 {
		return fmt.Errorf("data: point sets of %d and %d values are not nonempty sets of %d-dim points", len(x), len(y), d)
	}
	return nil
}

// MedianBandwidth is the median pairwise distance of the pooled points
// (using at most 1000 points of each set, the first ones).
func MedianBandwidth(x, y []float64, d int) float64 {
	const maxPts = 1000
	take := func(v []float64) []float64 {
		if len(v)/d > maxPts {
			return v[:maxPts*d]
		}
		return v
	}
	pool := append(append([]float64(nil), take(x)...), take(y)...)
	n := len(pool) / d
	ds := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			ds = append(ds, dist(pool[i*d:(i+1)*d], pool[j*d:(j+1)*d]))
		}
	}
	sort.Float64s(ds)
	if len(ds) == 0 {
		return 1
	}
	return ds[len(ds)/2]
}

// MMD is the unbiased estimate of the squared maximum mean discrepancy with
// the Gaussian kernel exp(-|a-b|^2 / (2 h^2)). A bandwidth h <= 0 selects
// the median heuristic (MedianBandwidth). It returns MMD^2 and h.
func MMD(x, y []float64, d int, h float64) (float64, float64, error) {
	if err := checkSets(x, y, d); err != nil {
		return 0, 0, err
	}
	n, m := len(x)/d, len(y)/d
	if n < 2 || m < 2 {
		return 0, 0, fmt.Errorf("data: MMD needs at least 2 points in each set")
	}
	if h <= 0 {
		h = MedianBandwidth(x, y, d)
	}
	g := -1 / (2 * h * h)
	kmean := func(a, b []float64, same bool) float64 {
		na, nb := len(a)/d, len(b)/d
		var mu sync.Mutex
		total := 0.0
		parallelFor(na, 64, func(lo, hi int) {
			s := 0.0
			for i := lo; i < hi; i++ {
				ai := a[i*d : (i+1)*d]
				for j := 0; j < nb; j++ {
					if same && i == j {
						continue
					}
					dd := dist(ai, b[j*d:(j+1)*d])
					s += math.Exp(g * dd * dd)
				}
			}
			mu.Lock()
			total += s
			mu.Unlock()
		})
		if same {
			return total / float64(na*(na-1))
		}
		return total / float64(na*nb)
	}
	return kmean(x, x, true) + kmean(y, y, true) - 2*kmean(x, y, false), h, nil
}

// Assign returns, for each point, the most likely component (the argmax of
// the posterior responsibility w_k N_k(x) / p(x)).
func (g *GMM) Assign(x []float64) []int {
	d, K, p := g.d, len(g.comps), g.perturb(1, 0)
	out := make([]int, len(x)/d)
	g.forEach(len(out), func(i int, sc *scratch) {
		g.point(x[i*d:(i+1)*d], p, sc)
		best := 0
		for k := 1; k < K; k++ {
			if sc.lw[k] > sc.lw[best] {
				best = k
			}
		}
		out[i] = best
	})
	return out
}

// ModeWeights is the fraction of points assigned (Assign) to each component.
// For overlapping components even exact samples deviate from the weights;
// compare with the ModeWeights of exact samples then.
func (g *GMM) ModeWeights(x []float64) []float64 {
	w := make([]float64, len(g.comps))
	a := g.Assign(x)
	for _, k := range a {
		w[k]++
	}
	for k := range w {
		w[k] /= float64(len(a))
	}
	return w
}

// MaxWeightError is max_k |ModeWeights_k - w_k|.
func (g *GMM) MaxWeightError(x []float64) float64 {
	e := 0.0
	for k, v := range g.ModeWeights(x) {
		e = math.Max(e, math.Abs(v-g.comps[k].w))
	}
	return e
}

// ExpectedNoiseFloor is the expectation of NoiseFloor without its
// repetition noise: E|X-X'| (1/n + 1/m), with E|X-X'| estimated by the
// U-statistic over 4000 fresh exact points. Compare a sampler's
// EnergyDistance to it; for well-separated modes a perfect sampler's value
// still fluctuates around it like a chi-square with few degrees of freedom.
func ExpectedNoiseFloor(ds Dataset, n, m int, r *rand.Rand) float64 {
	const k = 4000
	x := ds.Sample(k, r)
	exx := meanPairDist(x, x, ds.Dim()) * k / (k - 1)
	return exx * (1/float64(n) + 1/float64(m))
}

// Floor is an exact-versus-exact noise floor.
type Floor struct {
	Mean, Std float64 // over the repetitions
	Values    []float64
}

// NoiseFloor draws reps pairs of independent exact sets of n and m points
// from ds and returns the energy distance within each pair: what a perfect
// sampler of n points scores against m fresh exact samples. Its expectation
// is E|X-X'| (1/n + 1/m); for well-separated modes its spread is large
// (the mode-weight fluctuation dominates, like a chi-square with few
// degrees of freedom), so use several repetitions.
func NoiseFloor(ds Dataset, n, m, reps int, r *rand.Rand) (Floor, error) {
	var f Floor
	if reps < 1 || n < 1 || m < 1 {
		return f, fmt.Errorf("data: noise floor needs n, m >= 1 and reps >= 1")
	}
	for i := 0; i < reps; i++ {
		a := ds.Sample(n, r)
		b := ds.Sample(m, r)
		e, err := EnergyDistance(a, b, ds.Dim())
		if err != nil {
			return f, err
		}
		f.Values = append(f.Values, e)
		f.Mean += e
	}
	f.Mean /= float64(reps)
	for _, v := range f.Values {
		f.Std += (v - f.Mean) * (v - f.Mean)
	}
	if reps > 1 {
		f.Std = math.Sqrt(f.Std / float64(reps-1))
	}
	return f, nil
}
