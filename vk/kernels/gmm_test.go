package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
	"gonum.org/v1/gonum/mat"
)

// gmmFixedMarginal makes data.Oracle evaluate at one (m, s) whatever t is.
type gmmFixedMarginal struct{ m, s float64 }

func (f gmmFixedMarginal) Marginal(float64) (float64, float64) { return f.m, f.s }

// gmmRandSPD returns a random symmetric positive-definite D x D matrix with
// eigenvalues spread over [lo, hi].
func gmmRandSPD(rng *rand.Rand, d int, lo, hi float64) [][]float64 {
	a := make([][]float64, d)
	for i := range a {
		a[i] = randn(rng, d, 1, 0)
	}
	// Gram-Schmidt on the rows gives an orthogonal Q.
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			dot := 0.0
			for l := 0; l < d; l++ {
				dot += a[i][l] * a[j][l]
			}
			for l := 0; l < d; l++ {
				a[i][l] -= dot * a[j][l]
			}
		}
		n := 0.0
		for l := 0; l < d; l++ {
			n += a[i][l] * a[i][l]
		}
		for l := 0; l < d; l++ {
			a[i][l] /= math.Sqrt(n)
		}
	}
	lam := make([]float64, d)
	for i := range lam {
		lam[i] = lo + (hi-lo)*float64(i)/math.Max(1, float64(d-1))
	}
	c := make([][]float64, d)
	for i := range c {
		c[i] = make([]float64, d)
		for j := range c[i] {
			for l := 0; l < d; l++ {
				c[i][j] += a[l][i] * lam[l] * a[l][j]
			}
		}
	}
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			c[i][j] = c[j][i]
		}
	}
	return c
}

type gmmCase struct {
	name string
	g    *data.GMM
	iso  bool
}

func gmmCases(t *testing.T) []gmmCase {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	mk := func(name string, iso bool, comps []data.Component) gmmCase {
		g, err := data.NewGMM(comps)
		if err != nil {
			t.Fatal(err)
		}
		return gmmCase{name, g, iso}
	}
	iso5 := make([]data.Component, 4)
	full5 := make([]data.Component, 3)
	for k := range iso5 {
		iso5[k] = data.Component{Weight: float64(k + 1), Mean: randn(rng, 5, 4, 0), Std: 0.3 + 0.4*float64(k)}
	}
	for k := range full5 {
		full5[k] = data.Component{Weight: float64(3 - k), Mean: randn(rng, 5, 3, 1), Cov: gmmRandSPD(rng, 5, 0.05, 2)}
	}
	full5[1] = data.Component{Weight: 1, Mean: randn(rng, 5, 3, 0), Std: 0.7} // one isotropic in a full mixture
	full13 := []data.Component{
		{Weight: 1, Mean: randn(rng, 13, 2, 0), Cov: gmmRandSPD(rng, 13, 0.1, 3)},
		{Weight: 2, Mean: randn(rng, 13, 2, 0), Cov: gmmRandSPD(rng, 13, 0.02, 1)},
	}
	// D = 8: whole vec4 rows (the kernels' vector loads and stores).
	full8 := []data.Component{
		{Weight: 1, Mean: randn(rng, 8, 2, 0), Cov: gmmRandSPD(rng, 8, 0.1, 3)},
		{Weight: 1, Mean: randn(rng, 8, 2, 0), Std: 0.5},
		{Weight: 3, Mean: randn(rng, 8, 2, 0), Cov: gmmRandSPD(rng, 8, 0.05, 1)},
	}
	return []gmmCase{
		mk("iso2", true, []data.Component{
			{Weight: 0.8, Mean: []float64{5, 5}, Std: 1},
			{Weight: 0.2, Mean: []float64{-5, -5}, Std: 0.5},
		}),
		mk("full2", false, []data.Component{
			{Weight: 0.8, Mean: []float64{5, 5}, Std: 1},
			{Weight: 0.2, Mean: []float64{-5, -5}, Cov: [][]float64{{1, 0.2}, {0.2, 0.5}}},
		}),
		mk("iso5", true, iso5),
		mk("full5", false, full5),
		mk("full13", false, full13),
		mk("full8", false, full8),
	}
}

// gmmPoints draws b points of p_t (x = m x0 + s z) and moves every fifth one
// far from every mode.
func gmmPoints(rng *rand.Rand, g *data.GMM, b int, m, s float64) []float64 {
	d := g.Dim()
	x := g.Sample(b, rng)
	spread := g.MaxMeanDistance() + math.Sqrt(g.MaxEigenvalue())
	for i := 0; i < b; i++ {
		row := x[i*d : (i+1)*d]
		if i%5 == 4 {
			z := randn(rng, d, 1, 0)
			n := 0.0
			for _, v := range z {
				n += v * v
			}
			r := 30 * (m*spread + s)
			for j := range row {
				row[j] = r * z[j] / math.Sqrt(n)
			}
			continue
		}
		for j := range row {
			row[j] = m*row[j] + s*rng.NormFloat64()
		}
	}
	return x
}

var gmmTimes = []struct {
	name string
	m, s float64
}{
	{"data", 1, 0},
	{"ve-small", 1, 0.01},
	{"ve-mid", 1, 0.8},
	{"ve-large", 1, 50},
	{"vp-mid", 0.6, 0.8},
	{"vp-late", 0.01, 0.99995},
}

// gmmVecClose compares per point: |got - want|_2 <= rel |want|_2 + abs
// (+ slack[i] when slack is not nil).
func gmmVecClose(t *testing.T, name string, got []float32, want []float64, d int, rel, abs float64, slack []float64) {
	t.Helper()
	bad := 0
	for i := 0; i < len(want)/d; i++ {
		var e, n float64
		for j := 0; j < d; j++ {
			g, w := float64(got[i*d+j]), want[i*d+j]
			e += (g - w) * (g - w)
			n += w * w
		}
		tol := rel*math.Sqrt(n) + abs
		if slack != nil {
			tol += slack[i]
		}
		if !(math.Sqrt(e) <= tol) {
			if bad < 3 {
				t.Errorf("%s: point %d: got %v, want %v", name, i, got[i*d:(i+1)*d], want[i*d:(i+1)*d])
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d points differ", name, bad, len(want)/d)
	}
}

// gmmVariant is a setting of Tuning.GMMTexelPoints the tests run, with the
// batch sizes they run it on.
type gmmVariant struct {
	texelPoints uint32
	batches     []int
}

// gmmVariants are the device's preset on every batch size, then the
// storage-buffer kernel (0, the GPU preset) and texels with 3 points per
// invocation (batches not a multiple of it) on two.
func gmmVariants(l *Lib) []gmmVariant {
	out := []gmmVariant{{l.Tuning.GMMTexelPoints, []int{1, 77, 1000}}}
	for _, tp := range []uint32{0, 3} {
		if tp != l.Tuning.GMMTexelPoints {
			out = append(out, gmmVariant{tp, []int{1, 77}})
		}
	}
	return out
}

func TestGMMScore(t *testing.T) {
	l := testLib(t)
	for _, v := range gmmVariants(l) {
		l.Tuning.GMMTexelPoints = v.texelPoints
		testGMMScore(t, l, v.batches, fmt.Sprintf("texel points %d/", v.texelPoints))
	}
}

func testGMMScore(t *testing.T, l *Lib, batches []int, prefix string) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range gmmCases(t) {
		mix, err := NewGMMBuffer(l.Dev, c.g)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(mix.Free)
		if mix.Iso != c.iso {
			t.Errorf("%s: Iso = %v, want %v", c.name, mix.Iso, c.iso)
		}
		d := c.g.Dim()
		for _, tm := range gmmTimes {
			m, s := float64(float32(tm.m)), float64(float32(tm.s))
			for _, b := range batches {
				x := gmmPoints(rng, c.g, b, m, s)
				// Round x to float32 so the oracle sees what the device sees.
				for i := range x {
					x[i] = float64(float32(x[i]))
				}
				o := data.NewOracle(c.g, gmmFixedMarginal{m, s})
				wantS, wantD, wantL := make([]float64, b*d), make([]float64, b), make([]float64, b)
				o.Score(x, 0, wantS)
				o.Div(x, 0, wantD)
				o.LogProb(x, 0, wantL)

				xb := upload(t, l, x)
				sb, db, lb := newBuf(t, l, b*d), newBuf(t, l, b), newBuf(t, l, b)
				run(t, l, func(seq *vk.Sequence) error {
					return l.GMMEval(seq, mix, xb, GMMOut{Score: sb, Div: db, LogP: lb}, b, GMMTime{M: float32(m), S: float32(s)})
				})
				name := prefix + c.name + "/" + tm.name
				gotS, gotD, gotL := download(t, sb, b*d), download(t, db, b), download(t, lb, b)
				checkGMM(t, name, c.g, m, s, x, gotS, gotD, gotL, wantS, wantD, wantL)

				// The score-only and score+div pipelines give the same values.
				sb2, db2 := newBuf(t, l, b*d), newBuf(t, l, b)
				run(t, l, func(seq *vk.Sequence) error {
					if err := l.GMMScore(seq, mix, xb, sb2, nil, b, float32(m), float32(s)); err != nil {
						return err
					}
					return l.GMMEval(seq, mix, xb, GMMOut{Div: db2}, b, GMMTime{M: float32(m), S: float32(s)})
				})
				vktest.Close(t, name+" score-only", download(t, sb2, b*d), gmmF64(gotS), 1e-6, 0)
				vktest.Close(t, name+" div-only", download(t, db2, b), gmmF64(gotD), 1e-6, 1e-6)
			}
		}
	}
}

func gmmF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// checkGMM compares a device evaluation with the float64 oracle, with
// tolerances tied to each quantity's natural scale at (m, s), c_min being the
// smallest eigenvalue of any perturbed covariance.
func checkGMM(t *testing.T, name string, g *data.GMM, m, s float64, x []float64, gotS, gotD, gotL []float32, wantS, wantD, wantL []float64) {
	t.Helper()
	d := g.Dim()
	cmin := math.Inf(1)
	for k := 0; k < g.K(); k++ {
		for _, lam := range g.Eigenvalues(k) {
			cmin = math.Min(cmin, m*m*lam+s*s)
		}
	}
	// Score: per point, relative to its norm, plus an absolute floor of
	// 1e-5 / sqrt(c_min) (a point one standard deviation from a mode has a
	// score of about 1 / sqrt(c)), plus a few times its sensitivity to
	// float32 rounding of the log-responsibilities (large only far from
	// every mode, between near-tied components).
	cond := gmmRoundingCond(g, x, m, s)
	gmmVecClose(t, name+" score", gotS, wantS, d, 3e-5, 1e-5/math.Sqrt(cmin), scaled(cond.score, 4))
	if wantD != nil {
		// Held to 1e-4 of the divergence's natural scale D / c_min, plus a
		// few times its rounding sensitivity.
		scale := float64(d) / cmin
		for i := range wantD {
			if e := math.Abs(float64(gotD[i]) - wantD[i]); !(e <= 1e-4*scale+1e-4*math.Abs(wantD[i])+4*cond.div[i]) {
				t.Errorf("%s div[%d] = %g, want %g (scale %g, rounding sensitivity %g)", name, i, gotD[i], wantD[i], scale, cond.div[i])
				break
			}
		}
	}
	for i := range wantL {
		if e := math.Abs(float64(gotL[i]) - wantL[i]); !(e <= 4e-6*math.Abs(wantL[i])+4e-5) {
			t.Errorf("%s logp[%d] = %g, want %g", name, i, gotL[i], wantL[i])
			break
		}
	}
}

// TestGMMScoreAt records one sequence that reads (m, s) from a coefficient
// table at the row a device counter names, and replays it for several rows.
func TestGMMScoreAt(t *testing.T) {
	l := testLib(t)
	rng := rand.New(rand.NewPCG(7, 8))
	c := gmmCases(t)[3] // full5
	mix, err := NewGMMBuffer(l.Dev, c.g)
	if err != nil {
		t.Fatal(err)
	}
	defer mix.Free()
	d, b := c.g.Dim(), 333
	const stride = 4 // t, m, s, spare
	var table []float64
	for _, tm := range gmmTimes {
		table = append(table, 0.5, tm.m, tm.s, -1)
	}
	coef := upload(t, l, table)
	state, err := l.Dev.NewBuffer(8)
	if err != nil {
		t.Fatal(err)
	}
	defer state.Free()
	x := gmmPoints(rng, c.g, b, 0.6, 0.8)
	for i := range x {
		x[i] = float64(float32(x[i]))
	}
	xb, sb, db, lb := upload(t, l, x), newBuf(t, l, b*d), newBuf(t, l, b), newBuf(t, l, b)

	seq := begin(t, l)
	defer seq.Destroy()
	if err := l.GMMScoreAt(seq, mix, xb, sb, db, b, coef, state, stride, 1, 2); err != nil {
		t.Fatal(err)
	}
	// logp at the next row through RowOffset.
	if err := l.GMMEval(seq, mix, xb, GMMOut{LogP: lb}, b, GMMTime{Coef: coef, State: state, Stride: stride, ColM: 1, ColS: 2, RowOffset: 1}); err != nil {
		t.Fatal(err)
	}
	if err := seq.End(); err != nil {
		t.Fatal(err)
	}
	for row := range gmmTimes {
		if err := state.UploadU32([]uint32{uint32(row), 0}); err != nil {
			t.Fatal(err)
		}
		if err := seq.Submit(); err != nil {
			t.Fatal(err)
		}
		m, s := float64(float32(gmmTimes[row].m)), float64(float32(gmmTimes[row].s))
		o := data.NewOracle(c.g, gmmFixedMarginal{m, s})
		wantS, wantD := make([]float64, b*d), make([]float64, b)
		o.Score(x, 0, wantS)
		o.Div(x, 0, wantD)
		gotL := download(t, lb, b)
		wantL := make([]float64, b)
		if row+1 < len(gmmTimes) {
			m1, s1 := float64(float32(gmmTimes[row+1].m)), float64(float32(gmmTimes[row+1].s))
			c.g.LogProbAt(x, m1, s1, wantL)
		}
		name := "row " + gmmTimes[row].name
		// checkGMM's logp check is done below (it belongs to the next row).
		checkGMM(t, name, c.g, m, s, x, download(t, sb, b*d), download(t, db, b), nil, wantS, wantD, nil)
		for i := range wantL {
			g := float64(gotL[i])
			if row+1 == len(gmmTimes) {
				if !math.IsNaN(g) {
					t.Errorf("%s: logp at a row past the table = %g, want NaN", name, g)
				}
				break
			}
			if e := math.Abs(g - wantL[i]); !(e <= 4e-6*math.Abs(wantL[i])+4e-5) {
				t.Errorf("%s: logp[%d] at the next row = %g, want %g", name, i, g, wantL[i])
				break
			}
		}
	}
}

// TestGMMDivFormula checks the divergence formula the kernel implements
// (data.Oracle.Div) against central differences of the oracle's score.
func TestGMMDivFormula(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range gmmCases(t) {
		d := c.g.Dim()
		for _, tm := range gmmTimes[1:] {
			x := gmmPoints(rng, c.g, 10, tm.m, tm.s)[:4*d] // 4 points near the data
			div := make([]float64, 4)
			c.g.DivAt(x, tm.m, tm.s, div)
			for i := 0; i < 4; i++ {
				xi := x[i*d : (i+1)*d]
				fd := 0.0
				for j := 0; j < d; j++ {
					h := 1e-5 * (1 + math.Abs(xi[j]))
					sp, sm := make([]float64, d), make([]float64, d)
					xp := append([]float64(nil), xi...)
					xp[j] += h
					c.g.ScoreAt(xp, tm.m, tm.s, sp)
					xp[j] -= 2 * h
					c.g.ScoreAt(xp, tm.m, tm.s, sm)
					fd += (sp[j] - sm[j]) / (2 * h)
				}
				if math.Abs(fd-div[i]) > 1e-5*(1+math.Abs(div[i])) {
					t.Errorf("%s/%s: div %g, central differences %g", c.name, tm.name, div[i], fd)
				}
			}
		}
	}
}

func TestGMMErrors(t *testing.T) {
	l := testLib(t)
	comp := func(d int) []data.Component {
		return []data.Component{{Weight: 1, Mean: make([]float64, d), Std: 1}}
	}
	g65, err := data.NewGMM(comp(MaxGMMDim + 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewGMMBuffer(l.Dev, g65); err == nil || !strings.Contains(err.Error(), "dimension") {
		t.Errorf("D=%d mixture: err = %v", MaxGMMDim+1, err)
	}
	for _, bad := range []struct {
		name string
		mix  plainMixture
		want string
	}{
		{"negative eigenvalue", plainMixture{d: 2, lam: []float64{1, -1}}, "positive-definite"},
		{"short eigenvectors", plainMixture{d: 2, lam: []float64{1, 2}, vecs: []float64{1, 0, 0}}, "eigenvector entries"},
		{"long mean", plainMixture{d: 2, lam: []float64{1, 2}, mean: []float64{0, 0, 0}}, "mean of 3"},
	} {
		if _, err := NewGMMBuffer(l.Dev, bad.mix); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: err = %v, want one naming %q", bad.name, err, bad.want)
		}
	}
	g64, err := data.NewGMM(comp(MaxGMMDim))
	if err != nil {
		t.Fatal(err)
	}
	mix, err := NewGMMBuffer(l.Dev, g64)
	if err != nil {
		t.Fatal(err)
	}
	defer mix.Free()
	b := 3
	x := upload(t, l, make([]float64, b*MaxGMMDim))
	short := newBuf(t, l, b*MaxGMMDim-1)
	rec := func(f func(seq *vk.Sequence) error) error {
		seq := begin(t, l)
		defer seq.Destroy()
		err = f(seq)
		if e := seq.End(); e != nil {
			t.Fatal(e)
		}
		return err
	}
	for name, f := range map[string]func(seq *vk.Sequence) error{
		"short score": func(seq *vk.Sequence) error { return l.GMMScore(seq, mix, x, short, nil, b, 1, 1) },
		"short x":     func(seq *vk.Sequence) error { return l.GMMScore(seq, mix, short, x, nil, b, 1, 1) },
		"no output":   func(seq *vk.Sequence) error { return l.GMMEval(seq, mix, x, GMMOut{}, b, GMMTime{M: 1, S: 1}) },
		"bad column": func(seq *vk.Sequence) error {
			return l.GMMScoreAt(seq, mix, x, x, nil, b, short, short, 2, 0, 2)
		},
		"no state": func(seq *vk.Sequence) error {
			return l.GMMEval(seq, mix, x, GMMOut{Score: x}, b, GMMTime{Coef: short, Stride: 2, ColM: 0, ColS: 1})
		},
	} {
		if err := rec(f); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The largest mixture runs: D = 64, one point at the mean has score 0
	// and log-density -D/2 log 2 pi.
	sb, lb := newBuf(t, l, b*MaxGMMDim), newBuf(t, l, b)
	run(t, l, func(seq *vk.Sequence) error {
		return l.GMMEval(seq, mix, x, GMMOut{Score: sb, LogP: lb}, b, GMMTime{M: 1, S: 0})
	})
	for i, v := range download(t, sb, b*MaxGMMDim) {
		if v != 0 {
			t.Fatalf("D=64 score[%d] = %g, want 0", i, v)
		}
	}
	want := -0.5 * MaxGMMDim * math.Log(2*math.Pi)
	for i, v := range download(t, lb, b) {
		if math.Abs(float64(v)-want) > 1e-4 {
			t.Errorf("D=64 logp[%d] = %g, want %g", i, v, want)
		}
	}
}

// gmmCond is, per point, how much the divergence and the score (in norm)
// move when each component's log-weight lw_k is off by float32 rounding of
// its terms, eps_k = 6e-8 (|log w_k| + quad_k + |log det C_k|):
// sum_k |d div / d lw_k| eps_k and sum_k |d score / d lw_k| eps_k, with
// d div / d lw_k = r_k (g_k - sum_j r_j g_j - 2 score . (u_k - score)),
// g_k = |u_k|^2 - tr C_k^{-1}, and d score / d lw_k = r_k (u_k - score).
// Far from every mode quad_k is huge, and the responsibilities of near-tied
// components are set by differences of nearly equal float32 numbers:
// conditioning, not instability.
type gmmCond struct{ div, score []float64 }

func gmmRoundingCond(g *data.GMM, x []float64, m, s float64) gmmCond {
	d, K := g.Dim(), g.K()
	P := make([]*mat.Dense, K)
	logdet := make([]float64, K)
	for k := 0; k < K; k++ {
		cv := g.Cov(k)
		c := mat.NewSymDense(d, nil)
		for i := 0; i < d; i++ {
			for j := i; j < d; j++ {
				v := m * m * cv[i*d+j]
				if i == j {
					v += s * s
				}
				c.SetSym(i, j, v)
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(c) {
			panic("gmmRoundingCond: covariance is not positive-definite")
		}
		logdet[k] = ch.LogDet()
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err != nil {
			panic(err)
		}
		P[k] = mat.DenseCopyOf(&inv)
	}
	out := gmmCond{div: make([]float64, len(x)/d), score: make([]float64, len(x)/d)}
	lw, eps, gk := make([]float64, K), make([]float64, K), make([]float64, K)
	u := make([]*mat.VecDense, K)
	for i := range out.div {
		xi := x[i*d : (i+1)*d]
		mx := math.Inf(-1)
		for k := 0; k < K; k++ {
			mu := g.Mean(k)
			r := mat.NewVecDense(d, nil)
			for j := range mu {
				r.SetVec(j, xi[j]-m*mu[j])
			}
			u[k] = mat.NewVecDense(d, nil)
			u[k].MulVec(P[k], r)
			quad := mat.Dot(r, u[k])
			u[k].ScaleVec(-1, u[k])
			logw := math.Log(g.Weight(k))
			lw[k] = logw - 0.5*(quad+logdet[k])
			eps[k] = 6e-8 * (math.Abs(logw) + quad + math.Abs(logdet[k]))
			gk[k] = mat.Dot(u[k], u[k]) - mat.Trace(P[k])
			mx = math.Max(mx, lw[k])
		}
		sum := 0.0
		for k := range lw {
			lw[k] = math.Exp(lw[k] - mx)
			sum += lw[k]
		}
		score := mat.NewVecDense(d, nil)
		gbar := 0.0
		for k := range lw {
			lw[k] /= sum
			score.AddScaledVec(score, lw[k], u[k])
			gbar += lw[k] * gk[k]
		}
		diff := mat.NewVecDense(d, nil)
		for k := range lw {
			diff.SubVec(u[k], score)
			out.div[i] += math.Abs(lw[k]*(gk[k]-gbar-2*mat.Dot(score, diff))) * eps[k]
			out.score[i] += lw[k] * mat.Norm(diff, 2) * eps[k]
		}
	}
	return out
}

// scaled returns v times c.
func scaled(v []float64, c float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = c * x
	}
	return out
}

// plainMixture is a one-component Mixture given by its arrays, for the
// input checks of NewGMMBuffer.
type plainMixture struct {
	d         int
	mean, lam []float64
	vecs      []float64
}

func (m plainMixture) Dim() int                   { return m.d }
func (m plainMixture) K() int                     { return 1 }
func (m plainMixture) Weight(int) float64         { return 1 }
func (m plainMixture) Eigenvalues(int) []float64  { return m.lam }
func (m plainMixture) Eigenvectors(int) []float64 { return m.vecs }
func (m plainMixture) Mean(int) []float64 {
	if m.mean == nil {
		return make([]float64, m.d)
	}
	return m.mean
}
