package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/sdevk/sdevk/checkpoint"
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Runner is a training loop on some executor: the Vulkan Trainer or the
// pure-Go RefTrainer.
type Runner interface {
	// Next runs one step and returns its loss (ErrNonFinite when NaN or Inf).
	Next() (float64, error)
	// Steps is the number of steps taken.
	Steps() int
	Checkpoint(meta map[string]string) (*checkpoint.Checkpoint, error)
	Restore(c *checkpoint.Checkpoint) error
	// EMAParams are the weights to sample with.
	EMAParams() (map[string][]float32, error)
	// Times are the host time of replaying steps and of drawing batches.
	Times() (host, data time.Duration)
	Close()
}

// Steps is the number of steps taken.
func (t *Trainer) Steps() int { return t.Step }

// Times returns HostTime and DataTime.
func (t *Trainer) Times() (host, data time.Duration) { return t.HostTime, t.DataTime }

// RefTrainer trains with the float64 reference executor on the host: the
// slow fallback for machines without Vulkan (--device cpu-reference), with
// the same graph, objective, Adam, warm-up, clipping and EMA as Trainer
// (kernels.AdamRef, kernels.EMARef), and checkpoints in the same layout.
type RefTrainer struct {
	cfg    Config
	ref    *graph.Reference
	x0     *graph.Node
	outs   []*graph.Node // loss, then the gradients
	params []*graph.Node
	adam   *kernels.AdamRef
	ema    map[string][]float64
	step   int
	host   time.Duration
	data   time.Duration
	// images gives image batches (nil: points from cfg.Data), into batch.
	images batchSource
	batch  []float32
}

// draw returns the batch of the current step: points drawn as the Vulkan
// trainer draws them (in float64), or the image pipeline's batch.
func (t *RefTrainer) draw() ([]float64, error) {
	if t.images == nil {
		return t.cfg.Data.Sample(t.cfg.Batch, rand.New(rand.NewPCG(t.cfg.Seed, uint64(t.step)))), nil
	}
	if _, err := t.images.fill(t.step, t.batch); err != nil {
		return nil, err
	}
	x := make([]float64, len(t.batch))
	for i, v := range t.batch {
		x[i] = float64(v)
	}
	return x, nil
}

// NewReference builds the training graph for the reference executor.
func NewReference(cfg Config) (*RefTrainer, error) {
	if cfg.Batch <= 0 {
		return nil, fmt.Errorf("train: batch size %d", cfg.Batch)
	}
	if cfg.Classifier != nil {
		return nil, fmt.Errorf("train: the classifier objective trains on a Vulkan device only, not the reference executor")
	}
	g := graph.New()
	t := &RefTrainer{cfg: cfg, ref: graph.NewReference(), ema: map[string][]float64{}}
	src, d, err := newBatches(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Images != nil {
		t.images, t.batch = src, make([]float32, cfg.Batch*d)
	}
	t.x0 = g.Input("x0", cfg.Batch, d)
	ln, err := sde.BuildLoss(cfg.SDE, model.ForTraining(cfg.Net), t.x0, cfg.Loss)
	if err != nil {
		return nil, err
	}
	specs := cfg.Net.Params()
	t.params = model.Trainable(g, specs)
	grads, err := graph.Grad(ln.Loss, t.params...)
	if err != nil {
		return nil, err
	}
	t.outs = append([]*graph.Node{ln.Loss}, grads...)
	values, err := model.InitParams(specs, cfg.Seed)
	if err != nil {
		return nil, err
	}
	var sizes []int
	for _, p := range g.Params() {
		t.ref.Params[p.Name()] = values[p.Name()]
	}
	for _, p := range t.params {
		sizes = append(sizes, p.Shape().Size())
		if cfg.EMA > 0 {
			t.ema[p.Name()] = append([]float64(nil), values[p.Name()]...)
		}
	}
	t.adam = kernels.NewAdamRef(cfg.Adam, cfg.LR, sizes)
	t.ref.Seed = cfg.Seed
	return t, nil
}

// Next runs one step.
func (t *RefTrainer) Next() (float64, error) {
	begin := time.Now()
	pts, err := t.draw()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	t.data += start.Sub(begin)
	t.ref.Step = uint32(t.step)
	res, err := t.ref.Run(graph.Feeds{t.x0: pts}, t.outs...)
	if err != nil {
		return 0, err
	}
	var ps [][]float64
	for _, p := range t.params {
		ps = append(ps, t.ref.Params[p.Name()])
	}
	t.adam.Update(ps, res[1:])
	t.step++
	for _, p := range t.params {
		if e := t.ema[p.Name()]; e != nil {
			kernels.EMARef(e, t.ref.Params[p.Name()], t.cfg.EMA, t.adam.Step, true)
		}
	}
	t.host += time.Since(start)
	loss := res[0][0]
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, ErrNonFinite{Step: t.step, Loss: loss}
	}
	return loss, nil
}

// Steps is the number of steps taken.
func (t *RefTrainer) Steps() int { return t.step }

// Times returns the host time of the steps and of the batch draws.
func (t *RefTrainer) Times() (host, data time.Duration) { return t.host, t.data }

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// Checkpoint captures the state in Trainer's layout (the optimiser state
// holds the step count and learning rate).
func (t *RefTrainer) Checkpoint(meta map[string]string) (*checkpoint.Checkpoint, error) {
	c := checkpoint.New()
	for k, v := range meta {
		c.Meta[k] = v
	}
	c.Meta["step"] = strconv.Itoa(t.step)
	c.Meta["seed"] = strconv.FormatUint(t.cfg.Seed, 10)
	c.Meta["executor"] = "cpu-reference"
	shapes := map[string][]int{}
	for _, s := range t.cfg.Net.Params() {
		shapes[s.Name] = s.Shape
	}
	for name, v := range t.ref.Params {
		c.Tensors[prefixParam+name] = checkpoint.Tensor{Shape: shapes[name], Data: f32(v)}
	}
	for i, p := range t.params {
		c.Tensors[prefixM+p.Name()] = checkpoint.Tensor{Shape: p.Shape(), Data: f32(t.adam.M[i])}
		c.Tensors[prefixV+p.Name()] = checkpoint.Tensor{Shape: p.Shape(), Data: f32(t.adam.V[i])}
		if e := t.ema[p.Name()]; e != nil {
			c.Tensors[prefixEMA+p.Name()] = checkpoint.Tensor{Shape: p.Shape(), Data: f32(e)}
		}
	}
	words := kernels.OptimStateInit(t.cfg.LR)
	words[kernels.OptStep] = uint32(t.adam.Step)
	c.Tensors[nameOptim] = checkpoint.WordsTensor(words)
	return c, nil
}

// Restore loads a checkpoint of the same model (from either trainer).
func (t *RefTrainer) Restore(c *checkpoint.Checkpoint) error {
	step, err := strconv.Atoi(c.Meta["step"])
	if err != nil {
		return fmt.Errorf("train: checkpoint has no valid step (%q)", c.Meta["step"])
	}
	get := func(name string, shape []int) ([]float64, error) {
		tn, ok := c.Tensors[name]
		if !ok {
			return nil, fmt.Errorf("train: checkpoint lacks %s", name)
		}
		if fmt.Sprint(tn.Shape) != fmt.Sprint(shape) {
			return nil, fmt.Errorf("train: checkpoint's %s has shape %v, the model's is %v (another model?)", name, tn.Shape, shape)
		}
		out := make([]float64, len(tn.Data))
		for i, x := range tn.Data {
			out[i] = float64(x)
		}
		return out, nil
	}
	for _, s := range t.cfg.Net.Params() {
		v, err := get(prefixParam+s.Name, s.Shape)
		if err != nil {
			return err
		}
		t.ref.Params[s.Name] = v
	}
	for i, p := range t.params {
		if t.adam.M[i], err = get(prefixM+p.Name(), p.Shape()); err != nil {
			return err
		}
		if t.adam.V[i], err = get(prefixV+p.Name(), p.Shape()); err != nil {
			return err
		}
		if _, ok := t.ema[p.Name()]; ok {
			if t.ema[p.Name()], err = get(prefixEMA+p.Name(), p.Shape()); err != nil {
				return err
			}
		}
	}
	bits, ok := c.Tensors[nameOptim]
	if !ok || len(bits.Data) <= kernels.OptStep {
		return fmt.Errorf("train: checkpoint lacks %s", nameOptim)
	}
	t.adam.Step = int(bits.Words()[kernels.OptStep])
	t.step = step
	return nil
}

// EMAParams returns the EMA of the trainable parameters and the others' values.
func (t *RefTrainer) EMAParams() (map[string][]float32, error) {
	out := map[string][]float32{}
	for name, v := range t.ref.Params {
		out[name] = f32(v)
	}
	for name, e := range t.ema {
		out[name] = f32(e)
	}
	return out, nil
}

// Close does nothing: the reference holds no device resources.
func (t *RefTrainer) Close() {
	if t.images != nil {
		t.images.close()
	}
}
