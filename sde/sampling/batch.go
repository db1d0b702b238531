package sampling

import (
	"context"
	"errors"

	"github.com/sdevk/sdevk/sde"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// Batching: the Device backend takes any number of points and works
// through them in batches that fit the device. The batch size is the
// smallest of Device.MaxBatch, what keeps every buffer of a batch within the
// device's maxStorageBufferRange, and what fits half its largest memory
// heap; the device memory one point takes is measured by binding the score
// model to a small probe batch. A batch that still fails to allocate is
// halved and run again.
//
// Every batch of a sampling run draws with the run's seed, its points'
// noise indexed by their index in the run (Request.First, Sampler.SetFirst),
// so sample i depends only on (seed, i) whatever the batch size, with the
// samplers whose steps do not read the whole batch (doc.go lists them). A
// run that fits in one batch is what it always was. The reported NFE is the
// largest of the batches'. A likelihood's batch k still draws its probes
// with BatchSeed(seed, k).

// probePoints is the batch the device memory per point is measured on.
const probePoints = 256

// perPointVectors bounds the sampler's own buffers per point, in vectors
// of the point's dimension (the batch, noise, RK45 stages and combinations).
const perPointVectors = 24

// BatchSeed is the seed of batch k of a likelihood run with the given seed
// (its Hutchinson probes). Sampling batches all use the run's seed.
func BatchSeed(seed uint64, k int) uint64 {
	if k == 0 {
		return seed
	}
	z := seed + uint64(k)*0x9E3779B97F4A7C15 // splitmix64
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// batchLimit is the batch size for n points that take perPoint bytes of
// device memory each: n unless maxBatch (0: none), the binding limit or the
// memory budget (bytes) is smaller; at least 1.
func batchLimit(n int, perPoint, binding, budget uint64, maxBatch int) int {
	size := n
	if maxBatch > 0 {
		size = min(size, maxBatch)
	}
	if perPoint > 0 {
		if binding > 0 {
			size = min(size, int(min(binding/perPoint, uint64(n))))
		}
		if budget > 0 {
			size = min(size, int(min(budget/perPoint, uint64(n))))
		}
	}
	return max(size, 1)
}

// binder is a score model's Bind and Close (Score and DivScore).
type binder interface {
	Bind(x *vk.Buffer, b, d int, sched *Schedule) error
	Close()
}

// batchSize measures the device memory a point of dimension d takes with
// score (bound to a probe batch, then released), and returns the batch
// size for n.
func (b *Device) batchSize(dev *vk.Device, n, d int, score binder) (int, error) {
	if n <= probePoints {
		return batchLimit(n, 0, 0, 0, b.MaxBatch), nil
	}
	// Probe with probePoints, halved while that does not fit (a large
	// network's activations for 256 points can pass a binding's range or
	// the device's memory), and size the batch from what fit.
	for probe := probePoints; ; probe /= 2 {
		used, err := probeMemory(dev, score, probe, d)
		if tooBig(err) && probe > 1 {
			continue
		}
		if err != nil {
			return 0, err
		}
		perPoint := used/uint64(probe) + perPointVectors*4*uint64(d)
		return batchLimit(n, perPoint, dev.Info.Limits.MaxStorageBufferRange, memoryBudget(dev), b.MaxBatch), nil
	}
}

// probeMemory binds score to a batch of probe points and returns the device
// memory that took.
func probeMemory(dev *vk.Device, score binder, probe, d int) (uint64, error) {
	before := dev.Memory().InUse
	x, err := dev.NewBufferF32(probe * d)
	if err != nil {
		return 0, err
	}
	defer x.Free()
	if err := score.Bind(x, probe, d, nil); err != nil {
		score.Close()
		return 0, err
	}
	used := dev.Memory().InUse - before
	score.Close()
	return used, nil
}

// memoryBudget is half the device's largest device-local heap less what is
// in use (0: unknown).
func memoryBudget(dev *vk.Device) uint64 {
	heap := dev.Info.LocalHeapBytes()
	if used := dev.Memory().InUse; heap/2 > used {
		return heap/2 - used
	}
	return 0
}

// tooBig reports whether err means that the batch did not fit the device.
func tooBig(err error) bool {
	return errors.Is(err, vk.ErrBufferTooLarge) || errors.Is(err, vk.ErrOutOfDeviceMemory)
}

// inBatches runs n points through run in batches of size (batch k holds
// points first .. first+size-1), halving size when a batch does not fit. It stops between batches when ctx is cancelled, and fails a run
// cancelled in its last batch.
func inBatches(ctx context.Context, n, size int, run func(k, first, size int) error) error {
	for k, first := 0, 0; first < n; k++ {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		m := min(size, n-first)
		err := run(k, first, m)
		if tooBig(err) && m > 1 {
			size = (m + 1) / 2
			k--
			continue
		}
		if err != nil {
			return err
		}
		first += m
	}
	if ctx.Err() != nil { // a run cancelled in its last batch is not complete either
		return ErrInterrupted
	}
	return nil
}

// SampleTo runs r and hands the samples to sink in order: batch by batch
// on a Device, so that N points need never be in memory at once, and all at
// once on other backends. It returns the NFE.
func SampleTo(ctx context.Context, b Backend, r Request, sink func(x []float64) error) (int, error) {
	if dev, ok := b.(*Device); ok {
		return dev.sampleTo(ctx, r, sink)
	}
	x, nfe, err := b.Sample(ctx, r)
	if err != nil {
		return 0, err
	}
	return nfe, sink(x)
}

// sampleTo is SampleTo on the device.
func (b *Device) sampleTo(ctx context.Context, r Request, sink func(x []float64) error) (int, error) {
	dev, done, err := b.open()
	if err != nil {
		return 0, err
	}
	defer done()
	for {
		nfe, err := b.sampleBatches(ctx, dev, r, sink)
		if !errors.Is(err, ErrRestart) {
			return nfe, err
		}
		r.Seed++
	}
}

// sampleBatches runs r in batches on dev, handing each to sink.
// The kernels and the score model (its weights on the device) are made
// once for the run; each batch binds the model to its own size.
func (b *Device) sampleBatches(ctx context.Context, dev *vk.Device, r Request, sink func(x []float64) error) (int, error) {
	lib := kernels.New(dev)
	defer lib.Close()
	score, release, err := r.Score.deviceScore(lib)
	if err != nil {
		return 0, err
	}
	defer release()
	size := r.N
	if b.OnChunk == nil { // a viewer shows one batch: it gets the whole run
		if size, err = b.batchSize(dev, r.N, r.Dim, score); err != nil {
			return 0, err
		}
	}
	nfe := 0
	err = inBatches(ctx, r.N, size, func(k, first, size int) error {
		br := r
		br.N, br.First = size, r.First+first
		if r.Known != nil {
			br.Known = r.Known.Batch(first, size, r.Dim)
		}
		x, n, err := b.sampleOnce(ctx, lib, score, br)
		if err != nil {
			return err
		}
		nfe = max(nfe, n)
		return sink(x)
	})
	return nfe, err
}

// likelihoodBatches computes r in batches on dev.
// The kernels are made once for the run; each batch's score model has its
// own probe seed (BatchSeed).
func (b *Device) likelihoodBatches(ctx context.Context, dev *vk.Device, r LikelihoodRequest) (*sde.LikelihoodResult, error) {
	n := len(r.X) / r.Dim
	lib := kernels.New(dev)
	defer lib.Close()
	probe, release, err := r.Score.deviceDivScore(lib, r.Estimator, r.Probes, r.Seed)
	if err != nil {
		return nil, err
	}
	size, err := b.batchSize(dev, n, r.Dim, probe)
	release()
	if err != nil {
		return nil, err
	}
	res := &sde.LikelihoodResult{LogP: make([]float64, n), PriorLogP: make([]float64, n), DeltaLogP: make([]float64, n), ZT: make([]float64, n*r.Dim)}
	err = inBatches(ctx, n, size, func(k, first, size int) error {
		br := r
		br.X, br.Seed = r.X[first*r.Dim:(first+size)*r.Dim], BatchSeed(r.Seed, k)
		part, err := likelihoodOnce(lib, br)
		if err != nil {
			return err
		}
		copy(res.LogP[first:], part.LogP)
		copy(res.PriorLogP[first:], part.PriorLogP)
		copy(res.DeltaLogP[first:], part.DeltaLogP)
		copy(res.ZT[first*r.Dim:], part.ZT)
		if part.NFE > res.NFE {
			res.NFE, res.Stats = part.NFE, part.Stats
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, v := range res.LogP {
		res.MeanLogP += v / float64(n)
	}
	res.NatsPerDim = -res.MeanLogP / float64(r.Dim)
	return res, nil
}
