package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/vk"
	"gonum.org/v1/gonum/mat"
)

// Limits of the Gaussian-mixture kernel (gmm_score.comp). It runs one
// invocation per point with the point, the score and two work vectors in
// private arrays of at most MaxGMMDim floats each, and streams the K
// components once (cost O(K D) per point when every component is isotropic,
// O(K D^2) otherwise).
const (
	MaxGMMDim        = 64
	MaxGMMComponents = 1024
)

// GMMBuffer is a Gaussian mixture uploaded once for the gmm_score kernel: per
// component log w_k, an isotropy flag, the eigenvalues lambda_k and mean mu_k
// and, unless every component is isotropic, the eigenvectors U_k of
// Sigma_k = U_k diag(lambda_k) U_k^T (float32, computed in float64).
type GMMBuffer struct {
	Buf *vk.Buffer
	D   int
	K   int
	// Iso is true when every component is isotropic; the kernel then skips
	// the D x D products (specialization constant FULL = 0).
	Iso bool
	rec int // floats per component record
}

// NewGMMBuffer decomposes g's covariances and uploads the mixture to dev.
// Components whose covariance is a multiple of the identity take the
// isotropic path (U = I); the others store their eigenvectors.
func NewGMMBuffer(dev *vk.Device, g *data.GMM) (*GMMBuffer, error) {
	d, k := g.Dim(), g.K()
	if d < 1 || d > MaxGMMDim {
		return nil, fmt.Errorf("kernels: gmm: dimension %d outside 1..%d", d, MaxGMMDim)
	}
	if k < 1 || k > MaxGMMComponents {
		return nil, fmt.Errorf("kernels: gmm: %d components outside 1..%d", k, MaxGMMComponents)
	}
	iso := make([]bool, k)
	allIso := true
	for c := 0; c < k; c++ {
		iso[c] = gmmIsIsotropic(g.Cov(c), d)
		allIso = allIso && iso[c]
	}
	b := &GMMBuffer{D: d, K: k, Iso: allIso, rec: 2 + 2*d}
	if !allIso {
		b.rec += d * d
	}
	host := make([]float32, k*b.rec)
	for c := 0; c < k; c++ {
		r := host[c*b.rec : (c+1)*b.rec]
		r[0] = float32(math.Log(g.Weight(c)))
		mu := g.Mean(c)
		for j := 0; j < d; j++ {
			r[2+d+j] = float32(mu[j])
		}
		if iso[c] {
			r[1] = 1
			lam := g.Cov(c)[0]
			for j := 0; j < d; j++ {
				r[2+j] = float32(lam)
			}
			continue
		}
		lam, u, err := gmmEigenSym(g.Cov(c), d)
		if err != nil {
			return nil, fmt.Errorf("kernels: gmm: component %d: %v", c+1, err)
		}
		for j := 0; j < d; j++ {
			r[2+j] = float32(lam[j])
		}
		for j := range u {
			r[2+2*d+j] = float32(u[j])
		}
	}
	if uint64(len(host))*4 > dev.Info.Limits.MaxStorageBufferRange {
		return nil, fmt.Errorf("kernels: gmm: mixture of %d floats exceeds the storage-buffer range %d bytes", len(host), dev.Info.Limits.MaxStorageBufferRange)
	}
	buf, err := dev.NewBufferF32(len(host))
	if err != nil {
		return nil, err
	}
	if err := buf.Upload(host); err != nil {
		buf.Free()
		return nil, err
	}
	b.Buf = buf
	return b, nil
}

// Free releases the device buffer.
func (b *GMMBuffer) Free() {
	if b != nil && b.Buf != nil {
		b.Buf.Free()
		b.Buf = nil
	}
}

func gmmIsIsotropic(cov []float64, d int) bool {
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if i != j && cov[i*d+j] != 0 || i == j && cov[i*d+j] != cov[0] {
				return false
			}
		}
	}
	return true
}

// gmmEigenSym returns the eigenvalues and the eigenvectors (columns of the
// row-major D x D result) of the symmetric matrix cov.
func gmmEigenSym(cov []float64, d int) ([]float64, []float64, error) {
	sym := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, 0.5*(cov[i*d+j]+cov[j*d+i]))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return nil, nil, fmt.Errorf("eigen-decomposition failed")
	}
	lam := es.Values(nil)
	for _, l := range lam {
		if !(l > 0) {
			return nil, nil, fmt.Errorf("covariance is not positive-definite (eigenvalue %g)", l)
		}
	}
	var v mat.Dense
	es.VectorsTo(&v)
	u := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			u[i*d+j] = v.At(i, j)
		}
	}
	return lam, u, nil
}

// GMMOut names the outputs of a mixture evaluation; nil ones are not
// computed. Score holds B*D values (row-major like x), Div and LogP B each.
type GMMOut struct {
	Score, Div, LogP *vk.Buffer
}

// GMMTime says where the kernel finds the marginal's mean coefficient m and
// standard deviation s. With Coef nil they are M and S, pushed at record
// time. Otherwise they are read on the device when the dispatch runs:
// row = State[0] + RowOffset (State a uint buffer whose word 0 is a row
// counter), m = Coef[row*Stride + ColM], s = Coef[row*Stride + ColS], so a
// recorded sampling loop that advances the counter replays the evaluation
// every step without re-recording. A row outside Coef gives NaN outputs.
type GMMTime struct {
	M, S                          float32
	Coef, State                   *vk.Buffer
	Stride, ColM, ColS, RowOffset int
}

// GMMEval records the evaluation of the perturbed mixture
// p(x) = sum_k w_k N(x; m mu_k, m^2 Sigma_k + s^2 I) at the b points of x
// [b, D]: its score grad log p, the divergence of the score (the trace of its
// Jacobian, for exact-divergence likelihoods) and log p, as out asks.
func (l *Lib) GMMEval(seq *vk.Sequence, mix *GMMBuffer, x *vk.Buffer, out GMMOut, b int, at GMMTime) error {
	const name = "gmm_score"
	if mix == nil || mix.Buf == nil {
		return fmt.Errorf("kernels: %s: no mixture", name)
	}
	if b < 0 {
		return fmt.Errorf("kernels: %s: batch %d", name, b)
	}
	d := mix.D
	if err := checkLen(name, "x", x, b*d); err != nil {
		return err
	}
	var outs uint32
	// Outputs not asked for are bound to a scratch buffer: their bindings
	// are writable in the shader, so binding an input there would make it a
	// (formal) write-read hazard for later commands.
	dummy, err := l.dummyBuffer()
	if err != nil {
		return err
	}
	bufs := []*vk.Buffer{mix.Buf, x, mix.Buf, mix.Buf, dummy, dummy, dummy}
	for i, o := range []struct {
		buf  *vk.Buffer
		what string
		n    int
	}{{out.Score, "score", b * d}, {out.Div, "div", b}, {out.LogP, "logp", b}} {
		if o.buf == nil {
			continue
		}
		if err := checkLen(name, o.what, o.buf, o.n); err != nil {
			return err
		}
		outs |= 1 << i
		bufs[4+i] = o.buf
	}
	if outs == 0 {
		return fmt.Errorf("kernels: %s: no output requested", name)
	}
	if r := uint64(b) * uint64(d) * 4; r > l.Dev.Info.Limits.MaxStorageBufferRange {
		return fmt.Errorf("kernels: %s: %d x %d points exceed the storage-buffer range of %d bytes", name, b, d, l.Dev.Info.Limits.MaxStorageBufferRange)
	}
	var indexed uint32
	var stride, colM, colS, rowOff int
	if at.Coef != nil {
		if at.State == nil || at.State.Len() < 1 {
			return fmt.Errorf("kernels: %s: counter-indexed (m, s) needs a state buffer holding the row counter", name)
		}
		if at.Stride < 1 || at.ColM < 0 || at.ColM >= at.Stride || at.ColS < 0 || at.ColS >= at.Stride {
			return fmt.Errorf("kernels: %s: coef columns m=%d s=%d outside a row stride of %d", name, at.ColM, at.ColS, at.Stride)
		}
		indexed = 1
		bufs[2], bufs[3] = at.Coef, at.State
		stride, colM, colS, rowOff = at.Stride, at.ColM, at.ColS, at.RowOffset
	}
	full := uint32(1)
	if mix.Iso {
		full = 0
	}
	maxd := 4
	for maxd < d {
		maxd *= 2
	}
	k, err := l.kernel(name, [3]uint32{gmmLocal(l), 1, 1}, uint32(maxd), full, indexed, outs)
	if err != nil {
		return err
	}
	push := vk.Push(uint32(b), uint32(d), uint32(mix.K), uint32(mix.rec), at.M, at.S,
		uint32(stride), uint32(colM), uint32(colS), int32(rowOff))
	return seq.Dispatch(k, k.Groups(b), push, bufs...)
}

// gmmLocal is the workgroup width: each invocation does much work, so small
// groups keep many groups even for batches of a few thousand points.
func gmmLocal(l *Lib) uint32 {
	if l.Tuning.Local1D < 64 {
		return l.Tuning.Local1D
	}
	return 64
}

// GMMScore records score = grad log p and, when div is not nil, its
// divergence, for the mixture perturbed by the marginal (m, s) at the b
// points of x [b, D].
func (l *Lib) GMMScore(seq *vk.Sequence, mix *GMMBuffer, x, score, div *vk.Buffer, b int, m, s float32) error {
	return l.GMMEval(seq, mix, x, GMMOut{Score: score, Div: div}, b, GMMTime{M: m, S: s})
}

// GMMScoreAt is GMMScore with (m, s) read on the device from
// coef[row*stride + colM] and coef[row*stride + colS], row = state[0] (see
// GMMTime).
func (l *Lib) GMMScoreAt(seq *vk.Sequence, mix *GMMBuffer, x, score, div *vk.Buffer, b int, coef, state *vk.Buffer, stride, colM, colS int) error {
	return l.GMMEval(seq, mix, x, GMMOut{Score: score, Div: div}, b,
		GMMTime{Coef: coef, State: state, Stride: stride, ColM: colM, ColS: colS})
}
