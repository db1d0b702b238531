package train

import (
	"errors"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/vk"
)

// evalStream keys the noise of evaluation batches, apart from training's.
const evalStream = 0xe7a1

// evalState is the evaluation loss's program: the training objective of
// the network in evaluation mode (no dropout), as score_sde's eval step,
// run with the EMA weights swapped into the parameters (score_sde
// evaluates with the EMA) and swapped back in the same submission.
type evalState struct {
	loss  *graph.Node
	prog  *vkexec.Program
	seq   *vk.Sequence
	saved []*vk.Buffer // the parameters while the EMA stands in for them
}

func (e *evalState) free() {
	if e == nil {
		return
	}
	if e.seq != nil {
		e.seq.Destroy()
	}
	if e.prog != nil {
		e.prog.Release()
	}
	for _, b := range e.saved {
		b.Free()
	}
}

// ErrNoEvalData is returned by EvalLoss when the trainer has no evaluation
// batches (Config.EvalImages).
var ErrNoEvalData = errors.New("train: no evaluation data")

// EvalLoss is the loss of evaluation batch k (batch k of Config.EvalImages,
// the test split) under the EMA weights (the current weights when the EMA
// is off), with noise of its own; it changes nothing of the training.
func (t *Trainer) EvalLoss(k int) (float64, error) {
	if t.cfg.EvalImages == nil {
		return 0, ErrNoEvalData
	}
	if t.eval == nil {
		e, err := t.newEval()
		if err != nil {
			return 0, err
		}
		t.eval = e
	}
	b, err := t.cfg.EvalImages.Make(k)
	if err != nil {
		return 0, err
	}
	if err := t.eval.prog.SetInput("x0", b.X); err != nil {
		return 0, err
	}
	if err := t.setLabels(t.eval.prog, b.Labels); err != nil {
		return 0, err
	}
	if err := t.eval.prog.SetRunState(t.cfg.Seed^evalStream, uint32(k)); err != nil {
		return 0, err
	}
	if err := t.eval.seq.Submit(); err != nil {
		return 0, err
	}
	l, err := t.eval.prog.Read(t.eval.loss)
	if err != nil {
		return 0, err
	}
	return float64(l[0]), nil
}

// swapPairs are the (parameter, EMA) buffer pairs the evaluation swaps:
// the flat buffers when packed, else one pair per tensor.
func (t *Trainer) swapPairs() (params, emas []*vk.Buffer) {
	if f := t.flat; f != nil {
		if f.ema == nil {
			return nil, nil
		}
		return []*vk.Buffer{f.params}, []*vk.Buffer{f.ema}
	}
	for _, p := range t.params {
		if e := t.ema[p.Name()]; e != nil {
			params = append(params, t.Exec.Params.Buffer(p.Name()))
			emas = append(emas, e)
		}
	}
	return params, emas
}

func (t *Trainer) newEval() (*evalState, error) {
	if t.cfg.EvalImages.Batch != t.cfg.Batch {
		return nil, errors.New("train: evaluation batches differ in size from training's")
	}
	e := &evalState{}
	ok := false
	defer func() {
		if !ok {
			e.free()
		}
	}()
	g := graph.New()
	x0, labels := t.obj.inputs(g, t.cfg.Batch, len(t.batch)/t.cfg.Batch)
	var err error
	if e.loss, err = t.obj.build(x0, labels, false); err != nil {
		return nil, err
	}
	if e.prog, err = t.Exec.Compile(e.loss); err != nil {
		return nil, err
	}
	dev := t.Exec.Lib.Dev
	params, emas := t.swapPairs()
	for _, p := range params {
		b, err := dev.NewBufferF32(p.Len())
		if err != nil {
			return nil, err
		}
		e.saved = append(e.saved, b)
	}
	if e.seq, err = dev.NewSequence(false); err != nil {
		return nil, err
	}
	if err := e.seq.Begin(); err != nil {
		return nil, err
	}
	for i, p := range params {
		e.seq.Copy(e.saved[i], p)
		e.seq.Copy(p, emas[i])
	}
	if err := e.prog.RecordInto(e.seq); err != nil {
		return nil, err
	}
	for i, p := range params {
		e.seq.Copy(p, e.saved[i])
	}
	if err := e.seq.End(); err != nil {
		return nil, err
	}
	ok = true
	return e, nil
}
