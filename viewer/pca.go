package viewer

import (
	"fmt"
	"math"
	"sort"

	"github.com/sdevk/sdevk/vk"
)

// PrincipalAxes returns the projection onto the first two principal
// directions of n rows of d values (a small subsample is enough: the viewer
// computes it once, on the host), and bounds that hold the projected rows.
func PrincipalAxes(x []float32, n, d int) (*Projection, Bounds, error) {
	if n < 2 || d < 2 || len(x) < n*d {
		return nil, Bounds{}, fmt.Errorf("viewer: principal axes need at least 2 rows of 2 values (got %d x %d, %d values)", n, d, len(x))
	}
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			mean[k] += float64(x[i*d+k])
		}
	}
	for k := range mean {
		mean[k] /= float64(n)
	}
	c := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for k := 0; k < d; k++ {
			c[i*d+k] = float64(x[i*d+k]) - mean[k]
		}
	}
	// Power iteration on X^T X, the second vector deflated against the first.
	cov := func(v []float64) []float64 {
		out := make([]float64, d)
		for i := 0; i < n; i++ {
			row := c[i*d : (i+1)*d]
			s := 0.0
			for k, r := range row {
				s += r * v[k]
			}
			for k, r := range row {
				out[k] += s * r
			}
		}
		return out
	}
	var dirs [][]float64
	for j := 0; j < 2; j++ {
		v := make([]float64, d)
		for k := range v {
			v[k] = 1 + 0.1*float64((k*7+j*3)%11) // deterministic, not orthogonal to anything in particular
		}
		for it := 0; it < 200; it++ {
			v = cov(v)
			for _, u := range dirs {
				dot := 0.0
				for k := range v {
					dot += v[k] * u[k]
				}
				for k := range v {
					v[k] -= dot * u[k]
				}
			}
			norm := 0.0
			for _, e := range v {
				norm += e * e
			}
			norm = math.Sqrt(norm)
			if norm == 0 {
				// Degenerate (rank < 2): fall back to a coordinate axis.
				v = make([]float64, d)
				v[j] = 1
				break
			}
			for k := range v {
				v[k] /= norm
			}
		}
		// Fix the sign so that the largest component is positive.
		big := 0
		for k := range v {
			if math.Abs(v[k]) > math.Abs(v[big]) {
				big = k
			}
		}
		if v[big] < 0 {
			for k := range v {
				v[k] = -v[k]
			}
		}
		dirs = append(dirs, v)
	}
	p := &Projection{Mean: make([]float32, d), U: make([]float32, d), V: make([]float32, d)}
	for k := 0; k < d; k++ {
		p.Mean[k], p.U[k], p.V[k] = float32(mean[k]), float32(dirs[0][k]), float32(dirs[1][k])
	}
	return p, FitBounds(x, n, d, [2]int{}, p), nil
}

// FitBounds returns a rectangle that holds the 1st to 99th percentile of the
// rows' shown coordinates (axes, or the projection p when not nil), with a
// margin.
func FitBounds(x []float32, n, d int, axes [2]int, p *Projection) Bounds {
	if n < 1 {
		return DefaultBounds
	}
	us, vs := make([]float64, 0, n), make([]float64, 0, n)
	for i := 0; i < n && (i+1)*d <= len(x); i++ {
		u, v := project(x[i*d:(i+1)*d], axes, p)
		if !math.IsNaN(u) && !math.IsNaN(v) && !math.IsInf(u, 0) && !math.IsInf(v, 0) {
			us, vs = append(us, u), append(vs, v)
		}
	}
	if len(us) == 0 {
		return DefaultBounds
	}
	sort.Float64s(us)
	sort.Float64s(vs)
	q := func(s []float64, f float64) float64 { return s[int(f*float64(len(s)-1))] }
	b := Bounds{q(us, 0.01), q(us, 0.99), q(vs, 0.01), q(vs, 0.99)}
	mx, my := 0.15*(b.XMax-b.XMin)+1e-3, 0.15*(b.YMax-b.YMin)+1e-3
	return Bounds{b.XMin - mx, b.XMax + mx, b.YMin - my, b.YMax + my}
}

// PrincipalAxesOf reads the first min(n, sub) rows of a device buffer (one
// small download, done once rather than per frame) and returns their principal
// projection and bounds.
func PrincipalAxesOf(points *vk.Buffer, n, d, sub int) (*Projection, Bounds, error) {
	m := min(n, sub)
	x := make([]float32, m*d)
	if err := points.Download(x); err != nil {
		return nil, Bounds{}, err
	}
	return PrincipalAxes(x, m, d)
}
