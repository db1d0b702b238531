package kernels

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// The optimiser state is a small storage buffer of OptimStateLen 32-bit
// words that the optimiser kernels read and write on the device, so a
// recorded training step replays without re-recording and without host
// writes: AdamPrep advances the step counter and derives the step's
// scalars, GradNorm stores the gradient norm, Adam and EMA read them.
// Checkpoints save it with m, v and the EMA. Word indices:
const (
	OptStep       = iota // uint32: steps taken so far (AdamPrep increments it first)
	OptLR                // float32: base learning rate; the host may rewrite it between replays
	OptGradNorm          // float32: global gradient norm, from GradNorm
	OptClipScale         // float32: min(1, clip / norm), or 1 without clipping
	OptLRT               // float32: lr after the linear warm-up
	OptStepSize          // float32: lr_t / (1 - beta1^t)
	OptRsqrtBC2          // float32: 1 / sqrt(1 - beta2^t)
	OptimStateLen = 8
)

// OptimStateInit returns the words of a fresh optimiser state (step 0,
// base learning rate lr), for vk.Buffer.UploadU32.
func OptimStateInit(lr float64) []uint32 {
	w := make([]uint32, OptimStateLen)
	w[OptLR] = math.Float32bits(float32(lr))
	return w
}

// OptimStateLR returns the bytes to write at byte offset 4*OptLR of the
// state to change the base learning rate between replays.
func OptimStateLR(lr float64) []byte {
	return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(lr)))
}

// AdamConfig holds the hyper-parameters that stay fixed for a recorded
// step (push constants); the learning rate and the step live in the state.
type AdamConfig struct {
	Beta1, Beta2, Eps float64
	// WeightDecay is L2 regularisation added to the gradient (Adam) or,
	// with Decoupled, AdamW's param -= lr_t * WeightDecay * param.
	WeightDecay float64
	Decoupled   bool
	// Warmup: lr_t = lr * min(t / Warmup, 1) at step t = 1, 2, ...; 0 = none.
	// (score_sde uses (t-1)/Warmup, so its first update is a no-op; sdevk
	// starts the ramp at step 1 on purpose.)
	Warmup int
	// Clip: global gradient-norm clipping, gradients scaled by
	// min(1, Clip / norm) (PyTorch adds 1e-6 to the norm); <= 0 = none.
	Clip float64
}

// DefaultAdam is score_sde's optimiser: Adam with beta1 0.9, beta2 0.999,
// eps 1e-8, 5000 warm-up steps and gradient clipping at 1 (lr 2e-4 goes in
// the state).
func DefaultAdam() AdamConfig {
	return AdamConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Warmup: 5000, Clip: 1}
}

func (c AdamConfig) check() error {
	if !(c.Beta1 >= 0 && c.Beta1 < 1 && c.Beta2 >= 0 && c.Beta2 < 1 && c.Eps >= 0 && c.Warmup >= 0) {
		return fmt.Errorf("kernels: adam: betas %g, %g must lie in [0, 1), eps %g and warm-up %d be >= 0", c.Beta1, c.Beta2, c.Eps, c.Warmup)
	}
	return nil
}

const clipPer = 16 // gradient values per invocation in clip_sumsq

// GradNormPartials is the number of scratch floats GradNorm needs for a
// gradient buffer of n values (sum it over the buffers).
func (l *Lib) GradNormPartials(n int) int {
	chunk := int(l.Tuning.Local1D) * clipPer
	return (n + chunk - 1) / chunk
}

// GradNorm records the global L2 norm of the gradients grads[i][0:lens[i]]
// into the optimiser state (word OptGradNorm) without a host round trip:
// one dispatch per buffer writes per-workgroup sums of squares into scratch
// (sum of GradNormPartials(lens[i]) floats), then one workgroup adds them in
// a fixed order. The result is deterministic (no atomics).
func (l *Lib) GradNorm(seq *vk.Sequence, grads []*vk.Buffer, lens []int, scratch, state *vk.Buffer) error {
	const name = "grad norm"
	if len(grads) != len(lens) {
		return fmt.Errorf("kernels: %s: %d buffers, %d lengths", name, len(grads), len(lens))
	}
	if l.Tuning.Local1D&(l.Tuning.Local1D-1) != 0 {
		return fmt.Errorf("kernels: %s: workgroup width %d is not a power of two", name, l.Tuning.Local1D)
	}
	if err := checkLen(name, "state", state, OptimStateLen); err != nil {
		return err
	}
	total := 0
	for i, n := range lens {
		if err := checkLen(name, fmt.Sprintf("grads[%d]", i), grads[i], n); err != nil {
			return err
		}
		total += l.GradNormPartials(n)
	}
	if err := checkLen(name, "scratch", scratch, total); err != nil {
		return err
	}
	k1, err := l.kernel1D("clip_sumsq", clipPer)
	if err != nil {
		return err
	}
	off := 0
	for i, n := range lens {
		groups := l.GradNormPartials(n)
		if groups == 0 {
			continue
		}
		if err := seq.Dispatch(k1, l.Dev.Grid(uint64(groups), 1), vk.Push(uint32(n), uint32(off)), grads[i], scratch); err != nil {
			return err
		}
		off += groups
	}
	k2, err := l.kernel1D("clip_norm")
	if err != nil {
		return err
	}
	if total == 0 { // no gradients: the norm is 0; bind the state twice as scratch
		scratch = state
	}
	return seq.Dispatch(k2, [3]uint32{1, 1, 1}, vk.Push(uint32(total)), scratch, state)
}

// AdamPrep records the start of an optimiser step: it increments the step
// counter t in state and stores the step's learning rate after warm-up,
// the clipping scale (from the norm GradNorm stored, when cfg.Clip > 0) and
// the bias corrections. Record it once per step, after GradNorm and before
// the Adam dispatches of every parameter buffer.
func (l *Lib) AdamPrep(seq *vk.Sequence, cfg AdamConfig, state *vk.Buffer) error {
	if err := cfg.check(); err != nil {
		return err
	}
	if err := checkLen("adam prep", "state", state, OptimStateLen); err != nil {
		return err
	}
	k, err := l.kernel("adam_prep", [3]uint32{1, 1, 1})
	if err != nil {
		return err
	}
	push := vk.Push(math.Log(cfg.Beta1), math.Log(cfg.Beta2), uint32(cfg.Warmup), cfg.Clip)
	return seq.Dispatch(k, [3]uint32{1, 1, 1}, push, state)
}

// Adam records one fused Adam (or AdamW, cfg.Decoupled) update of
// param[0:n], m and v from grad, reading the step's scalars from state
// (see AdamPrep): g = clipScale grad (+ wd param for Adam);
// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// param -= lr_t/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps) (+ lr_t wd param
// for AdamW). This is PyTorch's Adam / AdamW.
func (l *Lib) Adam(seq *vk.Sequence, cfg AdamConfig, grad, state, param, m, v *vk.Buffer, n int) error {
	const name = "adam"
	if err := cfg.check(); err != nil {
		return err
	}
	if err := checkLens(name, n, map[string]*vk.Buffer{"grad": grad, "param": param, "m": m, "v": v}); err != nil {
		return err
	}
	if err := checkLen(name, "state", state, OptimStateLen); err != nil {
		return err
	}
	mode := uint32(0)
	if cfg.Decoupled {
		mode = 1
	}
	k, err := l.kernel1D("adam", mode)
	if err != nil {
		return err
	}
	push := vk.Push(uint32(n), cfg.Beta1, cfg.Beta2, 1-cfg.Beta1, 1-cfg.Beta2, cfg.Eps, cfg.WeightDecay)
	return seq.Dispatch(k, k.Groups(n), push, grad, state, param, m, v)
}

// AdamStep records a whole optimiser step over several parameter buffers:
// GradNorm (when cfg.Clip > 0; scratch holds the sum of GradNormPartials,
// and may be nil otherwise), AdamPrep, then Adam on each buffer.
func (l *Lib) AdamStep(seq *vk.Sequence, cfg AdamConfig, state, scratch *vk.Buffer, params, grads, ms, vs []*vk.Buffer, lens []int) error {
	if len(params) != len(lens) || len(grads) != len(lens) || len(ms) != len(lens) || len(vs) != len(lens) {
		return fmt.Errorf("kernels: adam step: %d params, %d grads, %d m, %d v for %d lengths", len(params), len(grads), len(ms), len(vs), len(lens))
	}
	if cfg.Clip > 0 {
		if err := l.GradNorm(seq, grads, lens, scratch, state); err != nil {
			return err
		}
	}
	if err := l.AdamPrep(seq, cfg, state); err != nil {
		return err
	}
	for i, n := range lens {
		if err := l.Adam(seq, cfg, grads[i], state, params[i], ms[i], vs[i], n); err != nil {
			return err
		}
	}
	return nil
}

// EMA records ema[i] = rate ema[i] + (1 - rate) param[i] for i < n. With
// warm, the rate is min(rate, (1 + t) / (10 + t)) for the step counter t of
// state (score_sde's EMA with num_updates); record it after AdamPrep. state
// may be nil without warm.
func (l *Lib) EMA(seq *vk.Sequence, param, state, ema *vk.Buffer, n int, rate float32, warm bool) error {
	const name = "ema"
	if err := checkLens(name, n, map[string]*vk.Buffer{"param": param, "ema": ema}); err != nil {
		return err
	}
	w := uint32(0)
	if warm {
		w = 1
		if state == nil {
			return fmt.Errorf("kernels: %s: warm-up needs the optimiser state", name)
		}
		if err := checkLen(name, "state", state, OptimStateLen); err != nil {
			return err
		}
	} else if state == nil {
		state = param // bound but not read
	}
	k, err := l.kernel1D("ema", w)
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(n), vk.Push(uint32(n), rate), param, state, ema)
}
