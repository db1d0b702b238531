package train

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/sdevk/sdevk/data"
)

// batchSource gives the training batch of each step. The batch of step s
// depends only on the seed and s, so a resumed run draws what the
// uninterrupted one drew.
type batchSource interface {
	// fill writes step's batch (batch*dim values) into x and returns its
	// labels (nil for unlabelled data).
	fill(step int, x []float32) ([]int, error)
	close()
}

// pointBatches draws points from a data.Dataset: step s's batch is
// Sample(batch, PCG(seed, s)). A Gaussian mixture's points are labelled
// with the component each was drawn from (the same draws as Sample).
type pointBatches struct {
	ds    data.Dataset
	batch int
	seed  uint64
}

func (p pointBatches) fill(step int, x []float32) ([]int, error) {
	r := rand.New(rand.NewPCG(p.seed, uint64(step)))
	var pts []float64
	var labels []int
	if mix, ok := p.ds.(data.Mixture); ok {
		pts, labels = mix.GMM().SampleLabels(p.batch, r)
	} else {
		pts = p.ds.Sample(p.batch, r)
	}
	if len(pts) != len(x) {
		return nil, fmt.Errorf("train: data set %s gave %d values for a batch of %d", p.ds.Name(), len(pts), len(x))
	}
	for i, v := range pts {
		x[i] = float32(v)
	}
	return labels, nil
}

func (pointBatches) close() {}

// streamAhead is how many image batches the pipeline keeps ready.
const streamAhead = 4

// imageBatches takes score_sde's image batches from a data.Pipeline, made on
// a goroutine a few steps ahead (data.Pipeline.Stream) so the device never
// waits for them. A step out of sequence (a restored checkpoint) restarts
// the stream there.
type imageBatches struct {
	pipe   *data.Pipeline
	stream <-chan *data.Batch
	stop   context.CancelFunc
	next   int // the step the stream's next batch is for
}

func (b *imageBatches) fill(step int, x []float32) ([]int, error) {
	if b.stream == nil || b.next != step {
		b.close()
		ctx, stop := context.WithCancel(context.Background())
		stream, err := b.pipe.Stream(ctx, step, streamAhead)
		if err != nil {
			stop()
			return nil, err
		}
		b.stream, b.stop, b.next = stream, stop, step
	}
	batch, ok := <-b.stream
	if !ok || batch.Step != step {
		return nil, fmt.Errorf("train: the image pipeline lost step %d", step)
	}
	if len(batch.X) != len(x) {
		return nil, fmt.Errorf("train: the image pipeline gave %d values for a batch of %d", len(batch.X), len(x))
	}
	copy(x, batch.X)
	b.next = step + 1
	return batch.Labels, nil
}

// close stops the stream's goroutine.
func (b *imageBatches) close() {
	if b.stop == nil {
		return
	}
	b.stop()
	for range b.stream { // let the goroutine see the cancellation and exit
	}
	b.stream, b.stop = nil, nil
}

// newBatches picks the source of cfg: its image pipeline, else its points.
func newBatches(cfg Config) (batchSource, int, error) {
	if cfg.Images != nil {
		if err := cfg.Images.Check(); err != nil {
			return nil, 0, err
		}
		if cfg.Images.Batch != cfg.Batch {
			return nil, 0, fmt.Errorf("train: the image pipeline makes batches of %d, the trainer takes %d", cfg.Images.Batch, cfg.Batch)
		}
		return &imageBatches{pipe: cfg.Images}, cfg.Images.Images.Dim(), nil
	}
	if cfg.Data == nil {
		return nil, 0, fmt.Errorf("train: no data (Config.Data or Config.Images)")
	}
	return pointBatches{ds: cfg.Data, batch: cfg.Batch, seed: cfg.Seed}, cfg.Data.Dim(), nil
}
