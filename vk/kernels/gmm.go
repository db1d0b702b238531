package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// Limits of the Gaussian-mixture kernels (gmm_prep.comp, gmm_score.comp).
// Each evaluation first tabulates the mixture at the marginal's time (m mu_k
// and the precision P_k = (m^2 Sigma_k + s^2 I)^{-1} of every component),
// then runs one invocation per point that streams the K components once
// (cost O(K D) per point when every component is isotropic, one D x D
// product per component otherwise), with D a specialization constant so
// the point and its work vectors live in registers. Only the loop over
// components stays a loop (the loops over coordinates unroll), so an
// invocation loops at most MaxGMMComponents times: within llvmpipe's limit
// (looplimit.go), which a 1024-component 64-D mixture was checked against.
const (
	MaxGMMDim        = 64
	MaxGMMComponents = 1024
)

// GMMBuffer is a Gaussian mixture uploaded once for the gmm kernels: per
// component log w_k, an isotropy flag, the eigenvalues lambda_k and mean mu_k
// and, unless every component is isotropic, the eigenvectors U_k of
// Sigma_k = U_k diag(lambda_k) U_k^T (float32, from the caller's float64
// decomposition); and the per-time table that each evaluation fills from
// them.
type GMMBuffer struct {
	Buf *vk.Buffer
	D   int
	K   int
	// Iso is true when every component is isotropic; the kernels then skip
	// the D x D products (specialization constant FULL = 0).
	Iso  bool
	rec  int // floats per component record
	trec int // floats per component record of the per-time table
	// table is gmm_prep's output, gmm_score's input: rewritten by every
	// evaluation (a sequence that records several orders them by barriers).
	table *vk.Buffer
}

// Mixture is what NewGMMBuffer reads of a Gaussian mixture: per component its
// weight, mean and the eigen-decomposition Sigma_k = U_k diag(lambda_k) U_k^T
// of its covariance. Eigenvectors returns U_k as D*D row-major floats whose
// columns are the eigenvectors, or nil for an isotropic component. The
// decomposition is the caller's (data.GMM keeps one), so this package does
// no linear algebra and does not depend on the data package.
type Mixture interface {
	Dim() int
	K() int
	Weight(k int) float64
	Mean(k int) []float64
	Eigenvalues(k int) []float64
	Eigenvectors(k int) []float64
}

// NewGMMBuffer uploads the mixture g to dev. Components with nil
// eigenvectors or equal eigenvalues (Sigma a multiple of the identity) take
// the isotropic path; the others store their eigenvectors.
func NewGMMBuffer(dev *vk.Device, g Mixture) (*GMMBuffer, error) {
	d, k := g.Dim(), g.K()
	if d < 1 || d > MaxGMMDim {
		return nil, fmt.Errorf("kernels: gmm: dimension %d outside 1..%d", d, MaxGMMDim)
	}
	if k < 1 || k > MaxGMMComponents {
		return nil, fmt.Errorf("kernels: gmm: %d components outside 1..%d", k, MaxGMMComponents)
	}
	lams := make([][]float64, k)
	vecs := make([][]float64, k)
	allIso := true
	for c := 0; c < k; c++ {
		lams[c], vecs[c] = g.Eigenvalues(c), g.Eigenvectors(c)
		if err := checkGMMComponent(lams[c], vecs[c], len(g.Mean(c)), d); err != nil {
			return nil, fmt.Errorf("kernels: gmm: component %d: %v", c+1, err)
		}
		if gmmIsIsotropic(lams[c]) {
			vecs[c] = nil
		}
		allIso = allIso && vecs[c] == nil
	}
	// The table's vectors are padded to whole vec4s (gmm_prep.comp).
	w := (d + 3) / 4 * 4
	b := &GMMBuffer{D: d, K: k, Iso: allIso, rec: 2 + 2*d, trec: 4 + w}
	if !allIso {
		b.rec += d * d
		b.trec += d * w
	}
	host := make([]float32, k*b.rec)
	for c := 0; c < k; c++ {
		r := host[c*b.rec : (c+1)*b.rec]
		r[0] = float32(math.Log(g.Weight(c)))
		if vecs[c] == nil {
			r[1] = 1
		}
		for j, v := range g.Mean(c) {
			r[2+d+j] = float32(v)
		}
		for j, v := range lams[c] {
			r[2+j] = float32(v)
		}
		for j, v := range vecs[c] {
			r[2+2*d+j] = float32(v)
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
	if b.table, err = dev.NewBufferF32(k * b.trec); err != nil {
		buf.Free()
		return nil, err
	}
	return b, nil
}

// checkGMMComponent checks one component's lengths and that its eigenvalues
// are positive (the kernel divides by them).
func checkGMMComponent(lam, vecs []float64, meanLen, d int) error {
	if meanLen != d || len(lam) != d || vecs != nil && len(vecs) != d*d {
		return fmt.Errorf("mean of %d, %d eigenvalues and %d eigenvector entries for dimension %d", meanLen, len(lam), len(vecs), d)
	}
	for _, l := range lam {
		if !(l > 0) || math.IsInf(l, 0) {
			return fmt.Errorf("covariance is not positive-definite (eigenvalue %g)", l)
		}
	}
	return nil
}

// Free releases the device buffer.
func (b *GMMBuffer) Free() {
	if b != nil && b.Buf != nil {
		b.Buf.Free()
		b.table.Free()
		b.Buf, b.table = nil, nil
	}
}

// gmmIsIsotropic says whether all eigenvalues are equal, so that Sigma is
// lambda I whatever the eigenvectors.
func gmmIsIsotropic(lam []float64) bool {
	for _, l := range lam {
		if l != lam[0] {
			return false
		}
	}
	return true
}

// GMMOut names the outputs of a mixture evaluation; nil ones are not
// computed. Score holds B*D values (row-major like x), Div and LogP B each.
// With Class set, Score is the class-guided score (GMMClass).
type GMMOut struct {
	Score, Div, LogP *vk.Buffer
	Class            *GMMClass
}

// GMMClass guides the score towards component K with the exact
// noise-conditional classifier p_t(K | x) of the perturbed mixture:
// score + Scale (u_K - score), u_K being component K's own score (see
// data.GMM.ClassScoreAt). Divergence and log-density are unchanged.
type GMMClass struct {
	K     int
	Scale float32
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
// Jacobian, for exact-divergence likelihoods) and log p, as out asks. It
// records two dispatches: gmm_prep tabulates the mixture at (m, s), then
// gmm_score evaluates the points.
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
	bufs := []*vk.Buffer{mix.table, x, dummy, dummy, dummy}
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
		bufs[2+i] = o.buf
	}
	if outs == 0 {
		return fmt.Errorf("kernels: %s: no output requested", name)
	}
	cls, class := int32(-1), uint32(0)
	var scale float32
	if c := out.Class; c != nil {
		if c.K < 0 || c.K >= mix.K {
			return fmt.Errorf("kernels: %s: class %d outside the mixture's components 0..%d", name, c.K, mix.K-1)
		}
		cls, class, scale = int32(c.K), 1, c.Scale
	}
	if r := uint64(b) * uint64(d) * 4; r > l.Dev.Info.Limits.MaxStorageBufferRange {
		return fmt.Errorf("kernels: %s: %d x %d points exceed the storage-buffer range of %d bytes", name, b, d, l.Dev.Info.Limits.MaxStorageBufferRange)
	}
	if err := l.gmmPrep(seq, mix, at); err != nil {
		return err
	}
	shader, np, sg := "gmm_score", uint32(1), uint32(1)
	if t := l.Tuning.GMMTexelPoints; t > 0 && l.Dev.TexelsFit(mix.table) && l.Dev.Info.SubgroupShuffle {
		shader, np, sg = "gmm_score_texels", min(t, gmmMaxPoints(d)), gmmShareLanes(l, d)
	}
	k, err := l.kernel(shader, [3]uint32{gmmLocal(l), 1, 1}, uint32(d), gmmFull(mix), outs, np, class, sg)
	if err != nil {
		return err
	}
	push := vk.Push(uint32(b), uint32(mix.K), uint32(mix.trec), cls, scale)
	return seq.Dispatch(k, k.Groups((b+int(np)-1)/int(np)), push, bufs...)
}

// gmmMaxPoints bounds the points per invocation of gmm_score_texels: the
// unrolled code grows as NP D^2 (and lavapipe's compile time faster: 2.5 s
// at D = 16 with 4 points, 10 s at D = 64 with 1, on a loaded machine).
func gmmMaxPoints(d int) uint32 {
	return uint32(max(1, 64/d))
}

// gmmShareLanes is the subgroup size whose lanes share the loads of P_k in
// gmm_score_texels, or 1: each lane then holds ceil(D ceil(D / 4) / SG) vec4s
// of it, so only up to D = 16; the subgroup must be a power of two that
// divides the workgroup. Only CPU-type devices share: the shuffles need
// every subgroup full and of the reported size, which a GPU driver may
// vary per pipeline (subgroup size control) unless it is asked for, while
// lavapipe's subgroups are its fixed SIMD width.
func gmmShareLanes(l *Lib, d int) uint32 {
	sg := l.Dev.Info.SubgroupSize
	if !l.Dev.Info.IsCPU() || d > 16 || sg < 4 || sg > 64 || sg&(sg-1) != 0 || gmmLocal(l)%sg != 0 {
		return 1
	}
	return sg
}

// gmmPrep records gmm_prep: the per-time table of mix at (m, s).
func (l *Lib) gmmPrep(seq *vk.Sequence, mix *GMMBuffer, at GMMTime) error {
	const name = "gmm_prep"
	dummy, err := l.dummyBuffer()
	if err != nil {
		return err
	}
	bufs := []*vk.Buffer{mix.Buf, dummy, dummy, mix.table}
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
		bufs[1], bufs[2] = at.Coef, at.State
		stride, colM, colS, rowOff = at.Stride, at.ColM, at.ColS, at.RowOffset
	}
	k, err := l.kernel1D(name, uint32(mix.D), gmmFull(mix), indexed)
	if err != nil {
		return err
	}
	push := vk.Push(uint32(mix.K), uint32(mix.rec), uint32(mix.trec), at.M, at.S,
		uint32(stride), uint32(colM), uint32(colS), int32(rowOff))
	return seq.Dispatch(k, k.Groups(mix.K*mix.D), push, bufs...)
}

// gmmFull is the FULL specialization constant: 0 when every component is
// isotropic.
func gmmFull(mix *GMMBuffer) uint32 {
	if mix.Iso {
		return 0
	}
	return 1
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
