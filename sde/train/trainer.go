package train

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sdevk/sdevk/data"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Config is what a Trainer needs.
type Config struct {
	SDE   sde.SDE
	Net   model.ScoreNet
	Loss  sde.LossConfig
	Adam  kernels.AdamConfig
	LR    float64
	EMA   float64 // EMA rate, warmed up as score_sde: min(rate, (1+t)/(10+t)); 0 disables it
	Batch int
	// Data gives point batches; Images, when set, image batches instead
	// (score_sde's pipeline; its Batch must equal Batch).
	Data   data.Dataset
	Images *data.Pipeline
	// EvalImages, when set, gives the batches of EvalLoss (the test split).
	EvalImages *data.Pipeline
	Seed       uint64
	// Classifier, when set, is trained instead of Net (which may be nil).
	Classifier *Classifier
}

// Trainer owns the parameters, optimiser state and recorded step on one device.
type Trainer struct {
	cfg    Config
	Exec   *vkexec.Executor
	prog   *vkexec.Program
	seq    *vk.Sequence
	loss   *graph.Node
	params []*graph.Node // trainable, in order
	grads  []*graph.Node
	specs  []model.ParamSpec
	m, v   []*vk.Buffer
	ema    map[string]*vk.Buffer
	opt    *vk.Buffer // kernels.OptimStateLen words
	norm   *vk.Buffer // gradient-norm scratch
	flat   *flatState // nil: the optimiser runs tensor by tensor
	batch  []float32
	src    batchSource
	labels []int // the current batch's (nil for unlabelled data)
	eval   *evalState
	obj    objective
	// Step is the number of steps taken.
	Step int
	// HostTime accumulates the host time of replaying steps (uploading the
	// batch and run state, submitting, reading the loss back), less the wait
	// for the device; DataTime that of drawing the batches on the host.
	HostTime, DataTime time.Duration
}

// flatState is the optimiser's state when the parameters are packed into
// one buffer (vkexec.ParamStore.Pack): the gradients are gathered into one
// buffer of the same layout each step, so Adam, the gradient norm and the
// EMA are one dispatch each rather than one per tensor. m, v and ema are
// the flat buffers the trainer's per-tensor views (its m, v and ema,
// which checkpoints read and write) lie in.
type flatState struct {
	params, grads, m, v, ema *vk.Buffer
	offs                     []int // per trainable parameter, in floats
	n                        int   // floats, the gaps between tensors included
}

func (f *flatState) free() {
	for _, b := range []*vk.Buffer{f.grads, f.m, f.v, f.ema} {
		b.Free()
	}
}

// New builds, initialises and records the training step.
func New(dev *vk.Device, cfg Config) (*Trainer, error) {
	if cfg.Batch <= 0 {
		return nil, fmt.Errorf("train: batch size %d", cfg.Batch)
	}
	src, d, err := newBatches(cfg)
	if err != nil {
		return nil, err
	}
	obj := cfg.objective()
	t := &Trainer{cfg: cfg, Exec: vkexec.New(dev), specs: obj.specs, ema: map[string]*vk.Buffer{}, src: src, obj: obj}
	ok := false
	defer func() {
		if !ok {
			t.Close()
		}
	}()
	g := graph.New()
	x0, labels := obj.inputs(g, cfg.Batch, d)
	if t.loss, err = obj.build(x0, labels, true); err != nil {
		return nil, err
	}
	t.params = model.Trainable(g, t.specs)
	if t.grads, err = graph.Grad(t.loss, t.params...); err != nil {
		return nil, err
	}
	if err := checkFits(dev, cfg, t.specs, append([]*graph.Node{t.loss}, t.grads...)); err != nil {
		return nil, err
	}
	values, err := model.InitParams32(t.specs, cfg.Seed)
	if err != nil {
		return nil, err
	}
	for _, p := range g.Params() {
		if err := t.Exec.Params.Set(p.Name(), p.Shape(), values[p.Name()]); err != nil {
			return nil, err
		}
	}
	if err := t.pack(); err != nil {
		return nil, err
	}
	if t.prog, err = t.Exec.Compile(append([]*graph.Node{t.loss}, t.grads...)...); err != nil {
		return nil, err
	}
	lib := t.Exec.Lib
	partials := 0
	if t.flat != nil {
		partials = lib.GradNormPartials(t.flat.n)
	}
	for i, p := range t.params {
		n := p.Shape().Size()
		if t.flat == nil {
			partials += lib.GradNormPartials(n)
		}
		for _, list := range []*[]*vk.Buffer{&t.m, &t.v} {
			b, err := t.stateBuffer(list == &t.v, false, i, n)
			if err != nil {
				return nil, err
			}
			*list = append(*list, b)
		}
		if cfg.EMA > 0 {
			b, err := t.stateBuffer(false, true, i, n)
			if err != nil {
				return nil, err
			}
			t.ema[p.Name()] = b
		}
	}
	if t.opt, err = dev.NewBufferF32(kernels.OptimStateLen); err != nil {
		return nil, err
	}
	if t.norm, err = dev.NewBufferF32(max(partials, 1)); err != nil {
		return nil, err
	}
	if err := t.resetState(values); err != nil {
		return nil, err
	}
	if err := t.record(); err != nil {
		return nil, err
	}
	t.batch = make([]float32, cfg.Batch*d)
	ok = true
	return t, nil
}

// pack moves the trainable parameters into one buffer and makes the flat
// gradient, moment and EMA buffers; when the parameters exceed one
// binding, the optimiser stays tensor by tensor.
func (t *Trainer) pack() error {
	if !packParams {
		return nil
	}
	names := make([]string, len(t.params))
	for i, p := range t.params {
		names[i] = p.Name()
	}
	params, offs, n, err := t.Exec.Params.Pack(names)
	if errors.Is(err, vkexec.ErrPackTooLarge) {
		return nil // tensor by tensor
	}
	if err != nil {
		return err
	}
	f := &flatState{params: params, offs: offs, n: n}
	dev := t.Exec.Lib.Dev
	zeros := make([]float32, n)
	for _, b := range []**vk.Buffer{&f.grads, &f.m, &f.v, &f.ema} {
		if b == &f.ema && t.cfg.EMA <= 0 {
			continue
		}
		if *b, err = dev.NewBufferF32(n); err != nil {
			f.free()
			return err
		}
		// The gaps between tensors stay zero: Adam leaves zeros in place.
		if err := (*b).Upload(zeros); err != nil {
			f.free()
			return err
		}
	}
	t.flat = f
	return nil
}

// packParams lets the trainer pack its parameters (tests turn it off to
// cover the tensor-by-tensor optimiser, which parameters too large for one
// binding take).
var packParams = true

// stateBuffer returns the buffer of parameter i's first moment (or second,
// or EMA) of n floats: a view of the flat buffer, or a buffer of its own.
func (t *Trainer) stateBuffer(second, ema bool, i, n int) (*vk.Buffer, error) {
	if t.flat == nil {
		return t.Exec.Lib.Dev.NewBufferF32(n)
	}
	b := t.flat.m
	if second {
		b = t.flat.v
	} else if ema {
		b = t.flat.ema
	}
	return b.View(uint64(t.flat.offs[i])*4, uint64(n)*4)
}

// resetState zeroes the moments, sets the optimiser state to step 0 and the
// EMA to the parameters.
func (t *Trainer) resetState(values map[string][]float32) error {
	for i, p := range t.params {
		zero := make([]float32, p.Shape().Size())
		if err := t.m[i].Upload(zero); err != nil {
			return err
		}
		if err := t.v[i].Upload(zero); err != nil {
			return err
		}
		if e := t.ema[p.Name()]; e != nil {
			if err := e.Upload(values[p.Name()]); err != nil {
				return err
			}
		}
	}
	return t.opt.UploadU32(kernels.OptimStateInit(t.cfg.LR))
}

func (t *Trainer) record() error {
	seq, err := t.Exec.Lib.Dev.NewSequence(false)
	if err != nil {
		return err
	}
	t.seq = seq
	if err := seq.Begin(); err != nil {
		return err
	}
	if err := t.prog.RecordInto(seq); err != nil {
		return err
	}
	var params, grads []*vk.Buffer
	var lens []int
	for i, p := range t.params {
		params = append(params, t.Exec.Params.Buffer(p.Name()))
		grads = append(grads, t.prog.Buffer(t.grads[i]))
		lens = append(lens, p.Shape().Size())
	}
	lib := t.Exec.Lib
	if f := t.flat; f != nil {
		offs := make([]uint64, len(f.offs))
		for i, o := range f.offs {
			offs[i] = uint64(o) * 4
		}
		if err := seq.Gather(f.grads, offs, grads); err != nil {
			return err
		}
		if err := lib.AdamStep(seq, t.cfg.Adam, t.opt, t.norm, []*vk.Buffer{f.params}, []*vk.Buffer{f.grads}, []*vk.Buffer{f.m}, []*vk.Buffer{f.v}, []int{f.n}); err != nil {
			return err
		}
		if f.ema != nil {
			if err := lib.EMA(seq, f.params, t.opt, f.ema, f.n, float32(t.cfg.EMA), true); err != nil {
				return err
			}
		}
		return seq.End()
	}
	if err := lib.AdamStep(seq, t.cfg.Adam, t.opt, t.norm, params, grads, t.m, t.v, lens); err != nil {
		return err
	}
	for i, p := range t.params {
		if e := t.ema[p.Name()]; e != nil {
			if err := lib.EMA(seq, params[i], t.opt, e, lens[i], float32(t.cfg.EMA), true); err != nil {
				return err
			}
		}
	}
	return seq.End()
}

// ErrNonFinite is returned by Step when the loss is NaN or infinite; the
// parameters are then those of the step that produced it.
type ErrNonFinite struct {
	Step int
	Loss float64
}

func (e ErrNonFinite) Error() string {
	return fmt.Sprintf("train: the loss became %v at step %d", e.Loss, e.Step)
}

// Labels are the class labels of the last step's batch (nil for
// unlabelled data).
func (t *Trainer) Labels() []int { return t.labels }

// Next runs one training step and returns its loss.
func (t *Trainer) Next() (float64, error) {
	begin := time.Now()
	labels, err := t.src.fill(t.Step, t.batch)
	if err != nil {
		return 0, err
	}
	t.labels = labels
	start := time.Now()
	t.DataTime += start.Sub(begin)
	if err := t.prog.SetInput("x0", t.batch); err != nil {
		return 0, err
	}
	if err := t.setLabels(t.prog, labels); err != nil {
		return 0, err
	}
	if err := t.prog.SetRunState(t.cfg.Seed, uint32(t.Step)); err != nil {
		return 0, err
	}
	if err := t.seq.SubmitAsync(); err != nil {
		return 0, err
	}
	host := time.Since(start)
	if err := t.seq.Wait(); err != nil {
		return 0, err
	}
	back := time.Now()
	l, err := t.prog.Read(t.loss)
	if err != nil {
		return 0, err
	}
	t.HostTime += host + time.Since(back)
	t.Step++
	loss := float64(l[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, ErrNonFinite{Step: t.Step, Loss: loss}
	}
	return loss, nil
}

// setLabels gives p the batch's one-hot labels when the objective reads
// them.
func (t *Trainer) setLabels(p *vkexec.Program, labels []int) error {
	if t.obj.classes == 0 {
		return nil
	}
	onehot, err := t.obj.oneHot(labels, t.cfg.Batch)
	if err != nil {
		return err
	}
	return p.SetInput(labelsInput, onehot)
}

// Plan is the memory plan of the training step's graph.
func (t *Trainer) Plan() *graph.Plan { return t.prog.Plan() }

// KeptBytes is the step's device memory outside the plan's arena
// (vkexec.Program.KeptBytes).
func (t *Trainer) KeptBytes() int { return t.prog.KeptBytes() }

// Timings is the GPU time of each dispatch of the last step, on a device
// opened with vk.Options.Profile (nil otherwise).
func (t *Trainer) Timings() ([]vk.Timing, error) { return t.seq.Timings() }

// Close frees everything the trainer allocated on the device.
func (t *Trainer) Close() {
	if t.src != nil {
		t.src.close()
	}
	t.eval.free()
	if t.seq != nil {
		t.seq.Destroy()
	}
	if t.prog != nil {
		t.prog.Release()
	}
	for _, b := range append(append([]*vk.Buffer{t.opt, t.norm}, t.m...), t.v...) {
		b.Free()
	}
	for _, b := range t.ema {
		b.Free()
	}
	if t.flat != nil {
		t.flat.free()
	}
	t.Exec.Lib.Close()
	t.Exec.Params.Release()
}
