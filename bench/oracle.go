package bench

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// torchOracleScript is the PyTorch reference of the oracle16 rows; it also
// runs on its own: python3 bench/torch_oracle.py.
//
//go:embed torch_oracle.py
var torchOracleScript string

// The oracle16 rows: the exact score of a 16-D mixture of full-covariance
// Gaussians (1 and 16 components) on 10,000 points, at the VP SDE's
// marginal at t = 0.5, as the oracle samplers evaluate it.
const (
	oracleDim    = 16
	oraclePoints = 10000
	oracleT      = 0.5
	// oracleEvals is the evaluations recorded per submit: a sampler records
	// many steps per submit, so the submit and wait are not the
	// evaluation's cost.
	oracleEvals = 10
)

var oracleComponents = []int{1, 16}

// torchOracleResult is what torch_oracle.py prints: per component count,
// the times of one evaluation in milliseconds.
type torchOracleResult struct {
	Threads int                  `json:"threads"`
	Torch   string               `json:"torch"`
	Ms      map[string][]float64 `json:"ms"`
}

// oracle16 times the oracle score of the 16-D mixtures, each against the
// same formula in PyTorch on the host CPU (torch_oracle.py, 2 threads),
// measured first in the same run when python3 has torch.
func (r *runner) oracle16() ([]Row, error) {
	vp, err := sde.NewVP(0.1, 20, 1000)
	if err != nil {
		return nil, err
	}
	m, s := vp.Marginal(oracleT)
	refs, refErr := r.torchOracle()
	var rows []Row
	for _, k := range oracleComponents {
		shape := fmt.Sprintf("%d points, D %d, %d full-covariance components", oraclePoints, oracleDim, k)
		ref, ok := refs[k]
		if ok {
			rows = append(rows, ref)
		} else {
			rows = append(rows, Row{Op: "oracle16", Shape: shape, Variant: "pytorch", Device: "host CPU", Note: "not run: " + fmt.Sprint(refErr)})
		}
		g, err := oracleMixture(k, oracleDim, rand.New(rand.NewPCG(uint64(k), 3)))
		if err != nil {
			return rows, err
		}
		ms, err := r.oracleScoreTimes(g, float32(m), float32(s))
		if err != nil {
			return rows, err
		}
		out := row("oracle16", shape, "oracle score", r.dev.Info.Name, ms, 0, 0)
		out.Note = fmt.Sprintf("wall time per evaluation, %d recorded per submit, (m, s) read from a coefficient table as the samplers do", oracleEvals)
		if ok {
			out.compareTime(ref)
		}
		rows = append(rows, out)
	}
	return rows, nil
}

// oracleMixture is a mixture like torch_oracle.py's: weights e^N(0, 1),
// means N(0, 4 I), covariances A A^T / d + 0.1 I with A standard normal.
func oracleMixture(k, d int, rng *rand.Rand) (*data.GMM, error) {
	comps := make([]data.Component, k)
	for c := range comps {
		a := make([]float64, d*d)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		cov := make([][]float64, d)
		for i := range cov {
			cov[i] = make([]float64, d)
			for j := range cov[i] {
				for l := 0; l < d; l++ {
					cov[i][j] += a[i*d+l] * a[j*d+l] / float64(d)
				}
			}
			cov[i][i] += 0.1
		}
		mean := make([]float64, d)
		for i := range mean {
			mean[i] = 2 * rng.NormFloat64()
		}
		comps[c] = data.Component{Weight: 1 + rng.Float64(), Mean: mean, Cov: cov}
	}
	return data.NewGMM(comps)
}

// oracleScoreTimes times oracleEvals evaluations of g's score per submit
// at (m, s) read from row 0 of a coefficient table (as OracleScore records
// them) and returns milliseconds per evaluation.
func (r *runner) oracleScoreTimes(g *data.GMM, m, s float32) ([]float64, error) {
	mix, err := kernels.NewGMMBuffer(r.dev, g)
	if err != nil {
		return nil, err
	}
	defer mix.Free()
	const stride = 4 // t, m, s, spare
	bufs, err := r.randomBuffers(oraclePoints*oracleDim, oraclePoints*oracleDim, stride)
	if err != nil {
		return nil, err
	}
	x, score, coef := bufs[0], bufs[1], bufs[2]
	state, err := r.dev.NewBuffer(8)
	if err == nil {
		bufs = append(bufs, state)
		err = coef.Upload([]float32{oracleT, m, s, 0})
	}
	if err == nil {
		err = state.UploadU32([]uint32{0, 0})
	}
	if err != nil {
		freeAll(bufs)
		return nil, err
	}
	at := kernels.GMMTime{Coef: coef, State: state, Stride: stride, ColM: 1, ColS: 2}
	p, err := r.wallReplay(func(seq *vk.Sequence) error {
		for i := 0; i < oracleEvals; i++ {
			if err := r.lib.GMMEval(seq, mix, x, kernels.GMMOut{Score: score}, oraclePoints, at); err != nil {
				return err
			}
		}
		return nil
	}, bufs...)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	ms, err := r.times(p.Once)
	for i := range ms {
		ms[i] /= oracleEvals
	}
	return ms, err
}

// torchOracle runs torch_oracle.py and returns its rows by component
// count; an error says why it could not run.
func (r *runner) torchOracle() (map[int]Row, error) {
	args := []string{"--points", strconv.Itoa(oraclePoints), "--dim", strconv.Itoa(oracleDim), "--components", joinInts(oracleComponents),
		"--t", strconv.FormatFloat(oracleT, 'g', -1, 64), "--threads", strconv.Itoa(torchThreads),
		"--repeats", strconv.Itoa(max(r.opt.Repeats, 5)), "--warmup", strconv.Itoa(max(r.opt.Warmup, 2))}
	var res torchOracleResult
	if _, err := runTorchScript("torch_oracle.py", torchOracleScript, args, &res); err != nil {
		return nil, err
	}
	device := fmt.Sprintf("host CPU, PyTorch %s, %d threads", res.Torch, res.Threads)
	rows := map[int]Row{}
	for _, k := range oracleComponents {
		ms := res.Ms[strconv.Itoa(k)]
		if len(ms) == 0 {
			return nil, fmt.Errorf("torch_oracle.py: no times for %d components", k)
		}
		shape := fmt.Sprintf("%d points, D %d, %d full-covariance components", oraclePoints, oracleDim, k)
		ref := row("oracle16", shape, "pytorch oracle score", device, ms, 0, 0)
		ref.Note = "wall time per evaluation (torch_oracle.py)"
		rows[k] = ref
	}
	return rows, nil
}
