package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// ReduceOp selects the reduction (the reduce shader's specialization constant).
type ReduceOp uint32

// The reductions; the numbers are reduce.comp's OP codes.
const (
	ReduceSum   ReduceOp = iota // sum
	ReduceMax                   // maximum (-Inf over an empty axis)
	ReduceSumSq                 // sum of squares
)

var reduceNames = [...]string{"sum", "max", "sumsq"}

func (op ReduceOp) String() string {
	if int(op) < len(reduceNames) {
		return reduceNames[op]
	}
	return fmt.Sprintf("reduce(%d)", uint32(op))
}

// The split plan of a reduction. When there are fewer than reduceParallel
// outputs, the axis is cut into interleaved slices (at most reduceMaxSplits,
// each at least reduceMinChunk long) so that about reduceTarget invocations
// share the work, and a second pass reduces the slices. The plan depends only
// on the shape, so results are the same on every device and workgroup size.
const (
	reduceParallel  = 4096
	reduceTarget    = 16384
	reduceMinChunk  = 64
	reduceMaxSplits = 4096
)

// MaxReduceScratch is the most scratch (float32 values) any reduction needs:
// a scratch buffer of this length serves every shape.
const MaxReduceScratch = reduceTarget + reduceParallel

func reduceSplits(outer, axis, inner int) int {
	m := outer * inner
	if m == 0 || m >= reduceParallel || axis < 2*reduceMinChunk {
		return 1
	}
	s := (axis + reduceMinChunk - 1) / reduceMinChunk
	s = min(s, (reduceTarget+m-1)/m, reduceMaxSplits)
	if s < 2 {
		return 1
	}
	return s
}

// ReduceScratchLen is the scratch (float32 values) that Reduce needs for this
// shape: 0 when one pass suffices, never more than MaxReduceScratch.
func ReduceScratchLen(outer, axis, inner int) int {
	if s := reduceSplits(outer, axis, inner); s > 1 {
		return outer * inner * s
	}
	return 0
}

// AxisView returns the [outer, axis, inner] view of a row-major tensor of the
// given shape that Reduce uses to reduce along dimension axis.
func AxisView(shape []int, axis int) (outer, n, inner int, err error) {
	if axis < 0 || axis >= len(shape) {
		return 0, 0, 0, fmt.Errorf("kernels: axis %d of a rank-%d tensor", axis, len(shape))
	}
	return prod(shape[:axis]), shape[axis], prod(shape[axis+1:]), nil
}

// Reduce records y[o*inner + j] = scale * op over a of x[(o*axis + a)*inner + j],
// the reduction of x viewed as [outer, axis, inner] along the middle axis
// (any axis of an N-D tensor; see AxisView). The order of the arithmetic
// depends only on the shape, so the result is the same on every run and for
// any workgroup size. Shapes with few outputs and a long axis take two
// dispatches through scratch, which must then hold ReduceScratchLen(outer,
// axis, inner) values (nil is fine when that is 0). scale multiplies the
// result (1/axis gives the mean).
func (l *Lib) Reduce(seq *vk.Sequence, op ReduceOp, x, y, scratch *vk.Buffer, outer, axis, inner int, scale float32) error {
	name := "reduce " + op.String()
	if op > ReduceSumSq {
		return fmt.Errorf("kernels: %s: unknown op", name)
	}
	if outer < 0 || axis < 0 || inner < 0 {
		return fmt.Errorf("kernels: %s: negative shape [%d %d %d]", name, outer, axis, inner)
	}
	if n := uint64(outer) * uint64(axis) * uint64(inner); n > math.MaxUint32 {
		return fmt.Errorf("kernels: %s: %d values exceed 32-bit indexing", name, n)
	}
	if err := checkLen(name, "x", x, outer*axis*inner); err != nil {
		return err
	}
	if err := checkLen(name, "y", y, outer*inner); err != nil {
		return err
	}
	splits := reduceSplits(outer, axis, inner)
	k, err := l.kernel1D("reduce", uint32(op))
	if err != nil {
		return err
	}
	if splits == 1 {
		push := vk.Push(uint32(outer), uint32(axis), uint32(inner), uint32(1), scale)
		return seq.Dispatch(k, k.Groups(outer*inner), push, x, y)
	}
	need := outer * inner * splits
	if scratch == nil {
		return fmt.Errorf("kernels: %s of [%d %d %d] needs a scratch buffer of %d values", name, outer, axis, inner, need)
	}
	if err := checkLen(name, "scratch", scratch, need); err != nil {
		return err
	}
	push := vk.Push(uint32(outer), uint32(axis), uint32(inner), uint32(splits), float32(1))
	if err := seq.Dispatch(k, k.Groups(need), push, x, scratch); err != nil {
		return err
	}
	second := ReduceSum
	if op == ReduceMax {
		second = ReduceMax
	}
	k2, err := l.kernel1D("reduce", uint32(second))
	if err != nil {
		return err
	}
	push = vk.Push(uint32(outer), uint32(splits), uint32(inner), uint32(1), scale)
	return seq.Dispatch(k2, k2.Groups(outer*inner), push, scratch, y)
}

// ReduceAll records y[0] = scale * op over the n values of x.
func (l *Lib) ReduceAll(seq *vk.Sequence, op ReduceOp, x, y, scratch *vk.Buffer, n int, scale float32) error {
	return l.Reduce(seq, op, x, y, scratch, 1, n, 1, scale)
}

// Mean records the mean of x viewed as [outer, axis, inner] along the middle
// axis (NaN over an empty axis).
func (l *Lib) Mean(seq *vk.Sequence, x, y, scratch *vk.Buffer, outer, axis, inner int) error {
	return l.Reduce(seq, ReduceSum, x, y, scratch, outer, axis, inner, float32(1/float64(axis)))
}
