package data

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func testGMM(t *testing.T) *GMM {
	t.Helper()
	g, err := NewGMM([]Component{
		{Weight: 0.5, Mean: []float64{-3, 0}, Std: 1},
		{Weight: 0.3, Mean: []float64{3, 1}, Cov: [][]float64{{1, 0.5}, {0.5, 0.8}}},
		{Weight: 0.2, Mean: []float64{0, 4}, Cov: [][]float64{{0.5, -0.2}, {-0.2, 1.2}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestNewGMMValidation(t *testing.T) {
	ok := []float64{0, 0}
	cases := []struct {
		name  string
		comps []Component
		want  string
	}{
		{"empty", nil, "no components"},
		{"zero weight", []Component{{Weight: 0, Mean: ok, Std: 1}}, "component 1: weight 0 must be positive"},
		{"negative weight", []Component{{Weight: 1, Mean: ok, Std: 1}, {Weight: -0.1, Mean: ok, Std: 1}}, "component 2: weight -0.1"},
		{"nan weight", []Component{{Weight: math.NaN(), Mean: ok, Std: 1}}, "weight NaN"},
		{"dim mismatch", []Component{{Weight: 1, Mean: ok, Std: 1}, {Weight: 1, Mean: []float64{1}, Std: 1}}, "component 2: mean has dimension 1, component 1 has 2"},
		{"empty mean", []Component{{Weight: 1, Std: 1}}, "empty mean"},
		{"no std", []Component{{Weight: 1, Mean: ok}}, "std 0 must be positive"},
		{"both", []Component{{Weight: 1, Mean: ok, Std: 1, Cov: [][]float64{{1, 0}, {0, 1}}}}, "not both"},
		{"cov rows", []Component{{Weight: 1, Mean: ok, Cov: [][]float64{{1, 0}}}}, "cov has 1 rows, want 2"},
		{"cov cols", []Component{{Weight: 1, Mean: ok, Cov: [][]float64{{1, 0}, {0}}}}, "cov row 2 has 1 entries"},
		{"asymmetric", []Component{{Weight: 1, Mean: ok, Cov: [][]float64{{1, 0.3}, {0.2, 1}}}}, "not symmetric"},
		{"indefinite", []Component{{Weight: 1, Mean: ok, Cov: [][]float64{{1, 2}, {2, 1}}}}, "not positive-definite (smallest eigenvalue -1)"},
		{"singular", []Component{{Weight: 1, Mean: ok, Cov: [][]float64{{1, 1}, {1, 1}}}}, "not positive-definite"},
	}
	for _, c := range cases {
		_, err := NewGMM(c.comps)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// refLogProb evaluates the perturbed mixture density with gonum's dense
// linear algebra, independently of the eigen-decomposition path.
func refLogProb(g *GMM, x []float64, m, s float64) float64 {
	d := g.Dim()
	tot := 0.0
	for k := 0; k < g.K(); k++ {
		c := mat.NewDense(d, d, g.Cov(k))
		c.Scale(m*m, c)
		for i := 0; i < d; i++ {
			c.Set(i, i, c.At(i, i)+s*s)
		}
		var inv mat.Dense
		if err := inv.Inverse(c); err != nil {
			panic(err)
		}
		r := mat.NewVecDense(d, nil)
		mu := g.Mean(k)
		for i := 0; i < d; i++ {
			r.SetVec(i, x[i]-m*mu[i])
		}
		var ir mat.VecDense
		ir.MulVec(&inv, r)
		quad := mat.Dot(r, &ir)
		tot += g.Weight(k) * math.Exp(-0.5*quad) / math.Sqrt(math.Pow(2*math.Pi, float64(d))*mat.Det(c))
	}
	return math.Log(tot)
}

func TestLogProbAgainstDense(t *testing.T) {
	g := testGMM(t)
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 2*50)
	for i := range x {
		x[i] = 6 * (r.Float64() - 0.5) * 2
	}
	out := make([]float64, 50)
	for _, ms := range [][2]float64{{1, 0}, {0.7, 0.5}, {1, 3}, {0.01, 1}} {
		g.LogProbAt(x, ms[0], ms[1], out)
		for i := 0; i < 50; i++ {
			want := refLogProb(g, x[2*i:2*i+2], ms[0], ms[1])
			if math.Abs(out[i]-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("m=%g s=%g point %d: logp %g want %g", ms[0], ms[1], i, out[i], want)
			}
		}
	}
}

func TestDensityIntegratesToOne(t *testing.T) {
	g := testGMM(t)
	const lo, hi, n = -12.0, 12.0, 400
	h := (hi - lo) / n
	x := make([]float64, 0, 2*n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x = append(x, lo+(float64(i)+0.5)*h, lo+(float64(j)+0.5)*h)
		}
	}
	lp := make([]float64, n*n)
	g.LogProb(x, lp)
	sum := 0.0
	for _, v := range lp {
		sum += math.Exp(v) * h * h
	}
	if math.Abs(sum-1) > 1e-4 {
		t.Errorf("density integrates to %g", sum)
	}
}

// TestScoreJacobianDivergence checks the analytic score against finite
// differences of log p, the JVP against finite differences of the score, and
// the divergence against the trace of the JVP over basis vectors, in 3-D
// with full covariances.
func TestScoreJacobianDivergence(t *testing.T) {
	g, err := NewGMM([]Component{
		{Weight: 0.6, Mean: []float64{1, 0, -1}, Cov: [][]float64{{1, 0.3, 0}, {0.3, 0.7, 0.1}, {0, 0.1, 0.5}}},
		{Weight: 0.4, Mean: []float64{-1, 1, 0.5}, Std: 0.6},
	})
	if err != nil {
		t.Fatal(err)
	}
	const d, n, h = 3, 20, 1e-5
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, n*d)
	v := make([]float64, n*d)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
		v[i] = r.NormFloat64()
	}
	for _, ms := range [][2]float64{{1, 0}, {0.5, 0.8}} {
		m, s := ms[0], ms[1]
		sc := make([]float64, n*d)
		jv := make([]float64, n*d)
		div := make([]float64, n)
		g.ScoreAt(x, m, s, sc)
		g.JVPAt(x, v, m, s, jv)
		g.DivAt(x, m, s, div)
		xp := append([]float64(nil), x...)
		lp, lm := make([]float64, n), make([]float64, n)
		sp, sm := make([]float64, n*d), make([]float64, n*d)
		// score vs d log p
		for j := 0; j < d; j++ {
			copy(xp, x)
			for i := 0; i < n; i++ {
				xp[i*d+j] += h
			}
			g.LogProbAt(xp, m, s, lp)
			for i := 0; i < n; i++ {
				xp[i*d+j] -= 2 * h
			}
			g.LogProbAt(xp, m, s, lm)
			for i := 0; i < n; i++ {
				fd := (lp[i] - lm[i]) / (2 * h)
				if math.Abs(fd-sc[i*d+j]) > 1e-5*math.Max(1, math.Abs(fd)) {
					t.Fatalf("score[%d][%d] = %g, finite difference %g", i, j, sc[i*d+j], fd)
				}
			}
		}
		// JVP vs d score . v
		for i := range xp {
			xp[i] = x[i] + h*v[i]
		}
		g.ScoreAt(xp, m, s, sp)
		for i := range xp {
			xp[i] = x[i] - h*v[i]
		}
		g.ScoreAt(xp, m, s, sm)
		for i := range jv {
			fd := (sp[i] - sm[i]) / (2 * h)
			if math.Abs(fd-jv[i]) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Fatalf("JVP[%d] = %g, finite difference %g", i, jv[i], fd)
			}
		}
		// div vs trace of JVP with basis vectors
		tr := make([]float64, n)
		e := make([]float64, n*d)
		for j := 0; j < d; j++ {
			clear(e)
			for i := 0; i < n; i++ {
				e[i*d+j] = 1
			}
			g.JVPAt(x, e, m, s, jv)
			for i := 0; i < n; i++ {
				tr[i] += jv[i*d+j]
			}
		}
		for i := range tr {
			if math.Abs(tr[i]-div[i]) > 1e-10*math.Max(1, math.Abs(tr[i])) {
				t.Fatalf("div[%d] = %g, trace %g", i, div[i], tr[i])
			}
		}
	}
}

func TestOracleUsesMarginal(t *testing.T) {
	g := NCSNToy()
	x := []float64{1, 2, -3, 0.5}
	o := NewOracle(g, SigmaMarginal{})
	a, b := make([]float64, 4), make([]float64, 4)
	o.Score(x, 2.5, a)
	g.ScoreAt(x, 1, 2.5, b)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("oracle score %v vs %v", a, b)
		}
	}
	// single isotropic Gaussian: score = -(x - m mu) / (m^2 s0^2 + s^2)
	one, _ := NewGMM([]Component{{Weight: 1, Mean: []float64{2}, Std: 0.5}})
	out := make([]float64, 1)
	one.ScoreAt([]float64{1}, 0.5, 2, out)
	if want := -(1 - 1.0) / (0.25*0.25 + 4); math.Abs(out[0]-want) > 1e-15 {
		t.Errorf("1-D score %g want %g", out[0], want)
	}
	one.ScoreAt([]float64{3}, 0.5, 2, out)
	if want := -(3 - 1.0) / (0.25*0.25 + 4); math.Abs(out[0]-want) > 1e-15 {
		t.Errorf("1-D score %g want %g", out[0], want)
	}
}

func TestSampleMoments(t *testing.T) {
	g := testGMM(t)
	r := rand.New(rand.NewPCG(5, 6))
	const n = 40000
	x, lab := g.SampleLabels(n, r)
	cnt := make([]float64, g.K())
	for _, k := range lab {
		cnt[k]++
	}
	for k := range cnt {
		if math.Abs(cnt[k]/n-g.Weight(k)) > 0.01 {
			t.Errorf("label %d frequency %g want %g", k, cnt[k]/n, g.Weight(k))
		}
	}
	mean := make([]float64, 2)
	for i := 0; i < n; i++ {
		mean[0] += x[2*i] / n
		mean[1] += x[2*i+1] / n
	}
	cov := make([]float64, 4)
	for i := 0; i < n; i++ {
		a, b := x[2*i]-mean[0], x[2*i+1]-mean[1]
		cov[0] += a * a / n
		cov[1] += a * b / n
		cov[2] += a * b / n
		cov[3] += b * b / n
	}
	wm, wc := g.MixtureMean(), g.MixtureCov()
	for j := range mean {
		if math.Abs(mean[j]-wm[j]) > 0.05 {
			t.Errorf("mean %v want %v", mean, wm)
		}
	}
	for j := range cov {
		if math.Abs(cov[j]-wc[j]) > 0.03*math.Max(1, math.Abs(wc[j])) {
			t.Errorf("cov %v want %v", cov, wc)
		}
	}
	// Sigma round trip through the eigen-decomposition.
	c1 := g.Cov(1)
	want := []float64{1, 0.5, 0.5, 0.8}
	for i := range c1 {
		if math.Abs(c1[i]-want[i]) > 1e-12 {
			t.Errorf("Cov(1) = %v", c1)
		}
	}
}

// TestEigenvectorsRebuildCov checks that Eigenvectors and Eigenvalues
// are the decomposition the GMM kernel uploads: Q diag(lambda) Q^T is the
// covariance, and an isotropic component has no eigenvectors.
func TestEigenvectorsRebuildCov(t *testing.T) {
	g, err := NewGMM([]Component{
		{Weight: 1, Mean: []float64{0, 0}, Std: 0.5},
		{Weight: 1, Mean: []float64{1, 2}, Cov: [][]float64{{2, 0.3}, {0.3, 0.5}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if q := g.Eigenvectors(0); q != nil {
		t.Errorf("isotropic component: eigenvectors %v, want nil", q)
	}
	q, lam, cov := g.Eigenvectors(1), g.Eigenvalues(1), g.Cov(1)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			s := 0.0
			for l := 0; l < 2; l++ {
				s += q[i*2+l] * lam[l] * q[j*2+l]
			}
			if math.Abs(s-cov[i*2+j]) > 1e-12 {
				t.Errorf("Q diag(lambda) Q^T [%d][%d] = %g, cov %g", i, j, s, cov[i*2+j])
			}
		}
	}
	if want := []float64{2, 0.3, 0.3, 0.5}; math.Abs(cov[1]-want[1]) > 1e-12 || math.Abs(cov[0]-want[0]) > 1e-12 {
		t.Errorf("cov = %v, want %v", cov, want)
	}
}
