package sampling

import (
	"errors"
	"fmt"
	"math"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// DefaultScoreBatch is the largest batch ScoreEval picks by itself.
const DefaultScoreBatch = 256

// ScoreEval evaluates a score model at given points and times (`sdevk
// score`): a network on a Vulkan device, in batches; the oracle exactly, on
// the host in float64 (it is the reference networks are compared with).
type ScoreEval struct {
	// Device names the Vulkan device ("" for the best); Dev, when set, is an
	// open device used as is.
	Device string
	Dev    *vk.Device
	// Batch is the number of points per device run; 0 picks the largest,
	// up to DefaultScoreBatch, whose planned memory fits a quarter of the
	// device's largest heap.
	Batch int
}

// ErrScoreInput is wrapped by Eval's errors about its inputs.
var ErrScoreInput = errors.New("score")

// Eval returns s(x_i, t_i) for the n points x (row-major, n x d) and their
// times t (n), with d = len(x)/len(t), shaped like x.
func (e ScoreEval) Eval(m ScoreModel, s sde.SDE, x, t []float32) ([]float32, error) {
	n := len(t)
	if n == 0 || len(x)%n != 0 {
		return nil, fmt.Errorf("%w: %d values of x for %d times", ErrScoreInput, len(x), n)
	}
	d := len(x) / n
	for i, v := range t {
		if !(v > 0 && v <= float32(s.T())) {
			return nil, fmt.Errorf("%w: t[%d] = %v is outside (0, %v]", ErrScoreInput, i, v, s.T())
		}
	}
	want := m.Dim
	if !m.IsNet() {
		want = m.GMM.Dim()
	}
	if d != want {
		return nil, fmt.Errorf("%w: points have %d values each, %s takes %d", ErrScoreInput, d, m.Name, want)
	}
	if !m.IsNet() {
		return oracleScores(m.Oracle(s), x, t, d), nil
	}
	dev := e.Dev
	if dev == nil {
		var err error
		if dev, err = vk.Open(vk.Options{Device: e.Device}); err != nil {
			return nil, err
		}
		defer dev.Close()
	}
	return netScores(dev, m, x, t, e.Batch)
}

// oracleScores evaluates the exact score point by point (each has its time).
func oracleScores(o interface {
	Score(x []float64, t float64, out []float64)
}, x, t []float32, d int) []float32 {
	out := make([]float32, len(x))
	xi, si := make([]float64, d), make([]float64, d)
	for i, ti := range t {
		for j := range xi {
			xi[j] = float64(x[i*d+j])
		}
		o.Score(xi, float64(ti), si)
		for j, v := range si {
			out[i*d+j] = float32(v)
		}
	}
	return out
}

// scoreProgram is a network compiled for batches of b points.
type scoreProgram struct {
	prog *vkexec.Program
	out  *graph.Node
	b    int
}

func compileScore(exec *vkexec.Executor, m ScoreModel, b int) (*scoreProgram, error) {
	g := graph.New()
	xn, tn := g.Input("x", b, m.Dim), g.Input("t", b)
	out := m.Net.Build(g, xn, tn)
	if err := g.Err(); err != nil {
		return nil, err
	}
	if !out.Shape().Equal(graph.Shape{b, m.Dim}) {
		return nil, fmt.Errorf("score: %s returns %v, want [%d %d]", m.Name, out.Shape(), b, m.Dim)
	}
	prog, err := exec.Compile(out)
	if err != nil {
		return nil, err
	}
	return &scoreProgram{prog, out, b}, nil
}

// autoBatch is the batch whose planned memory fills at most a quarter of
// the device's largest device-local heap, from the memory of a one-point
// program.
func autoBatch(dev *vk.Device, one *scoreProgram, n int) int {
	perPoint := uint64(max(one.prog.Plan().ArenaBytes, 1))
	return batchLimit(n, perPoint, 0, dev.Info.LocalHeapBytes()/4, DefaultScoreBatch)
}

// netScores runs m on dev for batches of b points (0: autoBatch); the last
// batch is padded with its first point, whose extra scores are dropped.
func netScores(dev *vk.Device, m ScoreModel, x, t []float32, b int) ([]float32, error) {
	lib := kernels.New(dev)
	defer lib.Close()
	exec, err := m.NewExecutor(lib)
	if err != nil {
		return nil, err
	}
	defer exec.Params.Release()
	n, d := len(t), m.Dim
	if b <= 0 {
		one, err := compileScore(exec, m, 1)
		if err != nil {
			return nil, err
		}
		b = autoBatch(dev, one, n)
		one.prog.Release()
	}
	sp, err := compileScore(exec, m, min(b, n))
	if err != nil {
		return nil, err
	}
	defer sp.prog.Release()
	b = sp.b
	out := make([]float32, n*d)
	xb, tb := make([]float32, b*d), make([]float32, b)
	for lo := 0; lo < n; lo += b {
		k := min(b, n-lo)
		copy(xb, x[lo*d:(lo+k)*d])
		copy(tb, t[lo:lo+k])
		for i := k; i < b; i++ {
			copy(xb[i*d:(i+1)*d], x[lo*d:(lo+1)*d])
			tb[i] = t[lo]
		}
		if err := sp.prog.SetInput("x", xb); err != nil {
			return nil, err
		}
		if err := sp.prog.SetInput("t", tb); err != nil {
			return nil, err
		}
		if err := sp.prog.Run(0, 0); err != nil {
			return nil, err
		}
		res, err := sp.prog.Read(sp.out)
		if err != nil {
			return nil, err
		}
		copy(out[lo*d:(lo+k)*d], res[:k*d])
	}
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return out, fmt.Errorf("score: %s gives %v at point %d", m.Name, v, i/d)
		}
	}
	return out, nil
}

// Weight sets of a checkpoint (checkpoint.Weights' names).
const (
	EMAWeights = string(checkpoint.WeightsEMA)   // the exponential moving average (what sampling uses)
	RawWeights = string(checkpoint.WeightsModel) // the trained values (score_sde's "model")
)
