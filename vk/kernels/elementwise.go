package kernels

import (
	"fmt"
	"slices"

	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/vk"
)

// UnaryOp selects the function of the unary kernel (specialization constant).
type UnaryOp uint32

// The unary ops; the numbers are the shader's switch cases in unary.comp.
const (
	Identity UnaryOp = iota
	Exp
	Log
	Sqrt
	Tanh
	Sigmoid
	Softplus
	SiLU
	ReLU
	ELU
	GELU
	Square
	Reciprocal
	Neg
	Abs
	Sin
	Cos
	Step
)

var unaryNames = [...]string{"identity", "exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "silu", "relu", "elu", "gelu", "square", "reciprocal", "neg", "abs", "sin", "cos", "step"}

func (op UnaryOp) String() string {
	if int(op) < len(unaryNames) {
		return unaryNames[op]
	}
	return fmt.Sprintf("unary(%d)", uint32(op))
}

// Unary records y[i] = op(alpha*x[i] + beta) for i < n. gamma is the op's
// parameter (ELU's alpha). Identity with alpha, beta is scale-and-shift.
func (l *Lib) Unary(seq *vk.Sequence, op UnaryOp, x, y *vk.Buffer, n int, alpha, beta, gamma float32) error {
	if err := checkLen("unary "+op.String(), "x", x, n); err != nil {
		return err
	}
	if err := checkLen("unary "+op.String(), "y", y, n); err != nil {
		return err
	}
	if l.Tuning.Elementwise.Groups > 0 {
		vec4 := l.Tuning.ElemVec4
		c := l.elemChunks(n, vec4)
		if c.per == 0 {
			return nil
		}
		k, err := l.kernel("unary_chunk", [3]uint32{uint32(c.local), 1, 1}, uint32(op), uint32(c.unroll), b2u(vec4))
		if err != nil {
			return err
		}
		return seq.Dispatch(k, l.Dev.Grid(uint64(c.groups), 1), vk.Push(uint32(n), alpha, beta, gamma, uint32(c.per)), x, y)
	}
	k, err := l.kernel1D("unary", uint32(op))
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(n), vk.Push(uint32(n), alpha, beta, gamma), x, y)
}

// The CPU-type variants of Unary and Binary (same and repeat indexings),
// unary_chunk and binary_chunk, stream like axpbypcz_texels (see AXPBYPCZ)
// on the grid Tuning.Elementwise; a unit is a vec4 where Tuning.ElemVec4 and
// the alignment allow, else a float.

// elemChunk is the grid of a chunked elementwise dispatch.
type elemChunk struct {
	local, unroll int
	per           int // units per workgroup, 0 when there is no work
	groups        int
}

// elemChunks splits n floats into chunks of whole SIMD passes of whole
// unrolled steps; with vec4 the units are vec4s, the last one doing the
// n % 4 trailing floats.
func (l *Lib) elemChunks(n int, vec4 bool) elemChunk {
	units := n
	if vec4 {
		units = (n + 3) / 4
	}
	ch := l.Tuning.Elementwise
	local := ch.Local
	if local < simdWidth || local%simdWidth != 0 || uint32(local) > l.Dev.Info.Limits.MaxWorkgroupInvocations {
		local = simdWidth
	}
	unroll := max(ch.Unroll, 1)
	quantum := local * unroll
	per := (units + ch.Groups - 1) / ch.Groups
	per = (per + quantum - 1) / quantum * quantum
	// lavapipe ends any loop after 65535 iterations: keep under that.
	per = min(per, maxLoopIters*quantum)
	c := elemChunk{local: local, unroll: unroll, per: per}
	if per > 0 {
		c.groups = (units + per - 1) / per
	}
	return c
}

// Fill records y[i] = v for i < n.
func (l *Lib) Fill(seq *vk.Sequence, y *vk.Buffer, n int, v float32) error {
	if err := checkLen("fill", "y", y, n); err != nil {
		return err
	}
	k, err := l.kernel1D("fill")
	if err != nil {
		return err
	}
	return seq.Dispatch(k, k.Groups(n), vk.Push(uint32(n), v), y)
}

// BinaryOp selects the function of the binary kernel.
type BinaryOp uint32

// The binary ops; the numbers are the shader's switch cases in binary.comp.
const (
	Add BinaryOp = iota
	Sub
	Mul
	Div
	Max
	Min
	Pow
	Equal
)

var binaryNames = [...]string{"add", "sub", "mul", "div", "max", "min", "pow", "equal"}

func (op BinaryOp) String() string {
	if int(op) < len(binaryNames) {
		return binaryNames[op]
	}
	return fmt.Sprintf("binary(%d)", uint32(op))
}

// MaxBroadcastDims is the rank the binary kernel broadcasts over.
const MaxBroadcastDims = 4

// BroadcastStrides returns the output shape and the element strides of a and
// b (0 along broadcast dimensions), right-aligned to MaxBroadcastDims, with
// NumPy's rules. It is shared by the kernel and its reference.
func BroadcastStrides(aShape, bShape []int) (out, sa, sb [MaxBroadcastDims]int, err error) {
	if len(aShape) > MaxBroadcastDims || len(bShape) > MaxBroadcastDims {
		return out, sa, sb, fmt.Errorf("kernels: broadcast of %v and %v: rank above %d", aShape, bShape, MaxBroadcastDims)
	}
	pad := func(s []int) [MaxBroadcastDims]int {
		var p [MaxBroadcastDims]int
		for i := range p {
			p[i] = 1
		}
		copy(p[MaxBroadcastDims-len(s):], s)
		return p
	}
	pa, pb := pad(aShape), pad(bShape)
	strideA, strideB := 1, 1
	for d := MaxBroadcastDims - 1; d >= 0; d-- {
		switch {
		case pa[d] == pb[d]:
			out[d] = pa[d]
		case pa[d] == 1:
			out[d] = pb[d]
		case pb[d] == 1:
			out[d] = pa[d]
		default:
			return out, sa, sb, fmt.Errorf("kernels: shapes %v and %v do not broadcast", aShape, bShape)
		}
		if pa[d] != 1 {
			sa[d] = strideA
		}
		if pb[d] != 1 {
			sb[d] = strideB
		}
		strideA *= pa[d]
		strideB *= pb[d]
	}
	return out, sa, sb, nil
}

// flatIfEqual makes two equal shapes one flat run: with no broadcast the
// rank does not matter, and BroadcastStrides covers rank 4 at most.
func flatIfEqual(a, b []int) ([]int, []int) {
	if slices.Equal(a, b) {
		return []int{prod(a)}, []int{prod(b)}
	}
	return a, b
}

// Binary records out = a op b with broadcasting of aShape against bShape.
func (l *Lib) Binary(seq *vk.Sequence, op BinaryOp, a, b, out *vk.Buffer, aShape, bShape []int) error {
	aShape, bShape = flatIfEqual(aShape, bShape)
	shape, sa, sb, err := BroadcastStrides(aShape, bShape)
	if err != nil {
		return err
	}
	n := shape[0] * shape[1] * shape[2] * shape[3]
	name := "binary " + op.String()
	if err := checkLen(name, "a", a, prod(aShape)); err != nil {
		return err
	}
	if err := checkLen(name, "b", b, prod(bShape)); err != nil {
		return err
	}
	if err := checkLen(name, "out", out, n); err != nil {
		return err
	}
	mode, block := binaryMode(aShape, bShape, n)
	div, mod := 1, 1
	if mode == binaryGeneral {
		if op == Add || op == Mul || op == Max || op == Min {
			if _, _, ok := planeBroadcast(bShape, aShape); ok && prod(bShape) == n {
				a, b, aShape, bShape = b, a, bShape, aShape
			}
		}
		if d, m, ok := planeBroadcast(aShape, bShape); ok && prod(aShape) == n {
			if l.Tuning.Elementwise.Groups == 0 {
				return l.binaryPlanes(seq, op, a, b, out, n, d, m) // binary_planes.go
			}
			mode, div, mod = binaryBPlanes, d, m
		}
	}
	if l.Tuning.Elementwise.Groups > 0 && mode != binaryGeneral {
		// vec4 units need the repeated block, or each of b's plane values,
		// to be whole vec4s.
		whole := block%4 == 0
		switch mode {
		case binarySame:
			whole = true
		case binaryBPlanes:
			whole = div%4 == 0 && n%4 == 0
		}
		vec4 := l.Tuning.ElemVec4 && whole
		c := l.elemChunks(n, vec4)
		if c.per == 0 {
			return nil
		}
		if vec4 {
			block /= 4
		}
		k, err := l.kernel("binary_chunk", [3]uint32{uint32(c.local), 1, 1}, uint32(op), mode, uint32(c.unroll), b2u(vec4), uint32(div), uint32(mod))
		if err != nil {
			return err
		}
		return seq.Dispatch(k, l.Dev.Grid(uint64(c.groups), 1), vk.Push(uint32(n), uint32(c.per), uint32(block)), a, b, out)
	}
	k, err := l.kernel1D("binary", uint32(op), mode)
	if err != nil {
		return err
	}
	if mode == binaryBRepeats {
		sb[3] = block
	} else if mode == binaryARepeats {
		sa[3] = block
	}
	push := vk.Push(uint32(n),
		shape[0], shape[1], shape[2], shape[3],
		sa[0], sa[1], sa[2], sa[3],
		sb[0], sb[1], sb[2], sb[3])
	return seq.Dispatch(k, k.Groups(n), push, a, b, out)
}

// Indexing modes of the binary shader (its specialization constant 4).
const (
	binaryGeneral  uint32 = iota
	binarySame            // equal sizes: both indexed by i
	binaryBRepeats        // b is a trailing block of a's shape: b[i % len(b)]
	binaryARepeats        // the same with a and b swapped
	binaryBPlanes         // b broadcast over planes (planeBroadcast): binary_chunk only
)

// binaryMode picks the cheapest indexing for the shapes and returns the
// repeated block's length for the repeat modes.
func binaryMode(aShape, bShape []int, n int) (uint32, int) {
	na, nb := prod(aShape), prod(bShape)
	switch {
	case na == n && nb == n:
		return binarySame, 0
	case na == n && isTrailing(bShape, aShape):
		return binaryBRepeats, nb
	case nb == n && isTrailing(aShape, bShape):
		return binaryARepeats, na
	}
	return binaryGeneral, 0
}

// isTrailing reports whether small, without leading 1s, equals the last
// dimensions of big (so small repeats over big's leading dimensions).
func isTrailing(small, big []int) bool {
	for len(small) > 0 && small[0] == 1 {
		small = small[1:]
	}
	if len(small) > len(big) || prod(small) == 0 {
		return false
	}
	tail := big[len(big)-len(small):]
	for i := range small {
		if small[i] != tail[i] {
			return false
		}
	}
	return true
}

func prod(s []int) int { return ref.Size(s) }
