package quality

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/vkexec"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk"
)

// Extractor runs a classifier over batches of images. Its program (the
// graph of one batch with the weights uploaded) is built on the first
// Extract and reused by later ones of the same batch size, whatever their
// time: Close frees it.
type Extractor struct {
	Net     *model.Classifier
	Weights map[string][]float32 // by parameter name
	// Batch is the number of images per run (0: 256).
	Batch int
	// Dev runs the classifier; nil runs the float64 reference executor
	// (slow, for tests and machines without Vulkan).
	Dev *vk.Device
	// T is the time given to a noise-conditional classifier: 0 for clean
	// images.
	T float64
	// ModelRange says the inputs are already in the classifier's input
	// range (perturbed data x_t), not images in [0, 1].
	ModelRange bool

	// programs holds the built programs by batch size (a call's batch is
	// min(Batch, n)), compiles counts the builds.
	programs map[int]*program
	compiles int
}

// Output holds the features [N, FeatureDim] and logits [N, NumClasses] of
// a set of images.
type Output struct {
	Features, Logits Matrix
}

// defaultBatch is the images per run when Extractor.Batch is 0.
const defaultBatch = 256

// Extract runs the classifier at time e.T on n images x, (N, C, H, W)
// float32 in [0, 1] (mapped to [-1, 1] for a classifier trained on centred
// data), or in the classifier's own range with ModelRange.
func (e *Extractor) Extract(x []float32, n int) (*Output, error) {
	return e.extract(x, n, e.T, e.ModelRange)
}

// extract is Extract at time t, of inputs in the classifier's range when
// modelRange is set.
func (e *Extractor) extract(x []float32, n int, t float64, modelRange bool) (*Output, error) {
	d := e.Net.Dim()
	if n < 1 || len(x) != n*d {
		return nil, fmt.Errorf("quality: %d values for %d images of %v", len(x), n, e.Net.ImageShape())
	}
	b := e.Batch
	if b == 0 {
		b = defaultBatch
	}
	b = min(b, n)
	prog, err := e.program(b)
	if err != nil {
		return nil, err
	}
	out := &Output{
		Features: Matrix{N: n, D: e.Net.FeatureDim(), X: make([]float64, 0, n*e.Net.FeatureDim())},
		Logits:   Matrix{N: n, D: e.Net.Config().NumClasses, X: make([]float64, 0, n*e.Net.Config().NumClasses)},
	}
	centred := e.Net.Config().Centered && !modelRange
	batch := make([]float32, b*d)
	for start := 0; start < n; start += b {
		rows := min(b, n-start)
		clear(batch)
		for i, v := range x[start*d : (start+rows)*d] {
			if centred {
				v = 2*v - 1
			}
			batch[i] = v
		}
		f, l, err := prog.run(batch, t)
		if err != nil {
			return nil, err
		}
		out.Features.X = append(out.Features.X, f[:rows*out.Features.D]...)
		out.Logits.X = append(out.Logits.X, l[:rows*out.Logits.D]...)
	}
	return out, nil
}

// Close frees the extractor's programs; a later Extract builds them again.
func (e *Extractor) Close() {
	for _, p := range e.programs {
		p.release()
	}
	e.programs = nil
}

// program is the classifier on batches of a fixed size, with the images
// and their times as inputs.
type program struct {
	// run computes the features and logits of one batch at time t.
	run     func(batch []float32, t float64) (feats, logits []float64, err error)
	release func()
}

// program returns the program for batches of b images, building it on
// first use.
func (e *Extractor) program(b int) (*program, error) {
	if p, ok := e.programs[b]; ok {
		return p, nil
	}
	g := graph.New()
	xin := g.Input("x", append([]int{b}, e.Net.ImageShape()...)...)
	tin := g.Input("t", b)
	feats, logits := e.Net.FeaturesAndLogits(g, xin, tin)
	if err := g.Err(); err != nil {
		return nil, err
	}
	p, err := e.compile(g, xin, tin, feats, logits)
	if err != nil {
		return nil, err
	}
	if e.programs == nil {
		e.programs = map[int]*program{}
	}
	e.programs[b] = p
	e.compiles++
	return p, nil
}

// compile prepares g on the extractor's device, or on the reference
// executor without one.
func (e *Extractor) compile(g *graph.Graph, xin, tin, feats, logits *graph.Node) (*program, error) {
	for _, p := range g.Params() {
		w, ok := e.Weights[p.Name()]
		if !ok || len(w) != p.Shape().Size() {
			return nil, fmt.Errorf("quality: no weights for the classifier's %s %v", p.Name(), p.Shape())
		}
	}
	if e.Dev == nil {
		ref := graph.NewReference()
		for _, p := range g.Params() {
			ref.Params[p.Name()] = widen(e.Weights[p.Name()])
		}
		times := make([]float64, tin.Shape().Size())
		run := func(batch []float32, t float64) ([]float64, []float64, error) {
			for i := range times {
				times[i] = t
			}
			res, err := ref.Run(graph.Feeds{xin: widen(batch), tin: times}, feats, logits)
			if err != nil {
				return nil, nil, err
			}
			return res[0], res[1], nil
		}
		return &program{run: run, release: func() {}}, nil
	}
	ex := vkexec.New(e.Dev)
	for _, p := range g.Params() {
		if err := ex.Params.Set(p.Name(), p.Shape(), e.Weights[p.Name()]); err != nil {
			ex.Params.Release()
			return nil, err
		}
	}
	prog, err := ex.Compile(feats, logits)
	if err != nil {
		ex.Params.Release()
		return nil, err
	}
	release := func() {
		prog.Release()
		ex.Params.Release()
	}
	times := make([]float32, tin.Shape().Size())
	run := func(batch []float32, t float64) ([]float64, []float64, error) {
		if err := prog.SetInput(xin.Name(), batch); err != nil {
			return nil, nil, err
		}
		// A classifier that is not noise-conditional leaves t out.
		if prog.InputBuffer(tin.Name()) != nil {
			for i := range times {
				times[i] = float32(t)
			}
			if err := prog.SetInput(tin.Name(), times); err != nil {
				return nil, nil, err
			}
		}
		if err := prog.Run(0, 0); err != nil {
			return nil, nil, err
		}
		f, err := prog.Read(feats)
		if err != nil {
			return nil, nil, err
		}
		l, err := prog.Read(logits)
		if err != nil {
			return nil, nil, err
		}
		return widen(f), widen(l), nil
	}
	return &program{run: run, release: release}, nil
}

// widen converts float32 values to float64.
func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// Unit returns an image set's pixel levels as float32 in [0, 1]
// (level / 255), the range of sdevk's samples.
func Unit(levels []uint8) []float32 {
	out := make([]float32, len(levels))
	for i, v := range levels {
		out[i] = float32(v) / 255
	}
	return out
}
