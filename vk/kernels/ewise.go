package kernels

import (
	"fmt"
	"math"

	"github.com/sdevk/sdevk/vk"
)

// The limits of an elementwise program (ewise.comp).
const (
	EwiseSlots   = 16 // instructions
	EwiseRegs    = 16 // registers
	EwiseInputs  = 6  // buffers read
	EwiseOutputs = 3  // buffers written
)

// The instruction codes of ewise.comp (0 is an empty slot).
const (
	ewLoad uint32 = iota + 1
	ewConst
	ewUnary
	ewBinary
	ewStore
)

// EwiseProgram is a fused run of elementwise ops over n elements: loads
// from up to EwiseInputs buffers, unary and binary ops between up to
// EwiseRegs registers, stores to up to EwiseOutputs buffers, at most
// EwiseSlots instructions. One dispatch runs it in place of a dispatch
// (and a memory round trip) per op; the graph executor builds them from
// runs of elementwise nodes. The instructions become the pipeline's
// specialization constants, so each program is a kernel of its own, made
// once per device (and kept in the pipeline cache).
type EwiseProgram struct {
	Code    []uint32 // 4 words per instruction
	Inputs  int      // input buffers used (1 + the largest index loaded)
	Outputs int      // output buffers used
}

// emit appends one instruction: w0 packs the op, registers, op code and
// buffer index (see ewise.comp); w1-w3 are its operands.
func (p *EwiseProgram) emit(op uint32, dst, a, b int, code, k uint32, w1, w2, w3 uint32) error {
	if p.Len() >= EwiseSlots {
		return fmt.Errorf("kernels: ewise: more than %d instructions", EwiseSlots)
	}
	p.Code = append(p.Code, op|uint32(dst)<<4|uint32(a)<<8|uint32(b)<<12|code<<16|k<<24, w1, w2, w3)
	return nil
}

func checkReg(regs ...int) error {
	for _, r := range regs {
		if r < 0 || r >= EwiseRegs {
			return fmt.Errorf("kernels: ewise: register %d outside 0..%d", r, EwiseRegs-1)
		}
	}
	return nil
}

// Load sets register dst to input buffer in at index (i / div) % mod of
// element i; div = 1, mod = 0 reads index i itself (the same shape).
func (p *EwiseProgram) Load(dst, in, div, mod int) error {
	if err := checkReg(dst); err != nil {
		return err
	}
	if in < 0 || in >= EwiseInputs {
		return fmt.Errorf("kernels: ewise: input %d outside 0..%d", in, EwiseInputs-1)
	}
	mode := uint32(1)
	if mod == 0 {
		mode, div = 0, 1
	} else if div < 1 {
		return fmt.Errorf("kernels: ewise: load divisor %d", div)
	}
	if err := p.emit(ewLoad, dst, 0, 0, 0, uint32(in), uint32(div), uint32(mod), mode); err != nil {
		return err
	}
	p.Inputs = max(p.Inputs, in+1)
	return nil
}

// Const sets register dst to v.
func (p *EwiseProgram) Const(dst int, v float32) error {
	if err := checkReg(dst); err != nil {
		return err
	}
	return p.emit(ewConst, dst, 0, 0, 0, 0, math.Float32bits(v), 0, 0)
}

// Unary sets register dst to op(alpha*src + beta), gamma being the op's
// parameter (as Unary).
func (p *EwiseProgram) Unary(dst int, op UnaryOp, src int, alpha, beta, gamma float32) error {
	if err := checkReg(dst, src); err != nil {
		return err
	}
	return p.emit(ewUnary, dst, src, 0, uint32(op), 0, math.Float32bits(alpha), math.Float32bits(beta), math.Float32bits(gamma))
}

// Binary sets register dst to a op b.
func (p *EwiseProgram) Binary(dst int, op BinaryOp, a, b int) error {
	if err := checkReg(dst, a, b); err != nil {
		return err
	}
	return p.emit(ewBinary, dst, a, b, uint32(op), 0, 0, 0, 0)
}

// Store writes register src to output buffer out at index i.
func (p *EwiseProgram) Store(out, src int) error {
	if err := checkReg(src); err != nil {
		return err
	}
	if out < 0 || out >= EwiseOutputs {
		return fmt.Errorf("kernels: ewise: output %d outside 0..%d", out, EwiseOutputs-1)
	}
	if err := p.emit(ewStore, 0, src, 0, 0, uint32(out), 0, 0, 0); err != nil {
		return err
	}
	p.Outputs = max(p.Outputs, out+1)
	return nil
}

// Len is the number of instructions.
func (p *EwiseProgram) Len() int { return len(p.Code) / 4 }

// Ewise records program p over n elements, reading ins and writing outs
// (p.Inputs and p.Outputs of them). An output may be the
// same buffer as an input read at index i (each element is read before it
// is written, by the same invocation) but must not overlap one otherwise.
func (l *Lib) Ewise(seq *vk.Sequence, p *EwiseProgram, n int, ins, outs []*vk.Buffer) error {
	if len(ins) != p.Inputs || len(outs) != p.Outputs || p.Outputs == 0 {
		return fmt.Errorf("kernels: ewise: a program of %d inputs and %d outputs got %d and %d buffers", p.Inputs, p.Outputs, len(ins), len(outs))
	}
	for i, o := range outs {
		if err := checkLen("ewise", fmt.Sprintf("output %d", i), o, n); err != nil {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	// Unused bindings get buffers the dispatch reads or writes anyway, so
	// they add no dependency.
	var bufs []*vk.Buffer
	for i := 0; i < EwiseInputs; i++ {
		switch {
		case i < len(ins):
			bufs = append(bufs, ins[i])
		case len(ins) > 0:
			bufs = append(bufs, ins[0])
		default:
			bufs = append(bufs, outs[0])
		}
	}
	for i := 0; i < EwiseOutputs; i++ {
		bufs = append(bufs, outs[min(i, len(outs)-1)])
	}
	var code [4*EwiseSlots + 3]uint32 // the program, CHUNKED, vec4s, then the width (the cache key)
	copy(code[:], p.Code)
	units, name := n, "ewise" // what one index covers: an element, or 4 in ewise4
	if l.Tuning.ElemVec4 && n%4 == 0 {
		units, name = n/4, "ewise4"
		code[4*EwiseSlots+1] = 1
	}
	local := int(l.Tuning.Local1D)
	groups, per := ceilDiv(units, local), units
	if ch := l.Tuning.Ewise; ch.Groups > 0 {
		local = ch.Local
		if local < 1 || uint32(local) > l.Dev.Info.Limits.MaxWorkgroupInvocations {
			local = simdWidth
		}
		// At least ch.Groups chunks, each looping fewer than maxLoopIters
		// times.
		groups = max(ch.Groups, ceilDiv(units, local*maxLoopIters))
		per = ceilDiv(ceilDiv(units, groups), local) * local
		groups = ceilDiv(units, per)
		code[4*EwiseSlots] = 1
	}
	code[4*EwiseSlots+2] = uint32(local)
	k := l.ewise[code]
	if k == nil {
		var err error
		if k, err = l.kernel(name, [3]uint32{uint32(local), 1, 1}, code[:4*EwiseSlots+1]...); err != nil {
			return err
		}
		if l.ewise == nil {
			l.ewise = map[[4*EwiseSlots + 3]uint32]*vk.Kernel{}
		}
		l.ewise[code] = k
	}
	return seq.Dispatch(k, l.Dev.Grid(uint64(groups*local), uint32(local)), vk.Push(uint32(units), uint32(per)), bufs...)
}

// EwiseRef is the float64 reference of Ewise: it runs p over n elements of
// ins and returns the outputs (n values each).
func EwiseRef(p *EwiseProgram, n int, ins [][]float64) ([][]float64, error) {
	outs := make([][]float64, p.Outputs)
	for i := range outs {
		outs[i] = make([]float64, n)
	}
	one := []int{1}
	for i := 0; i < n; i++ {
		var r [EwiseRegs]float64
		for pc := 0; pc+4 <= len(p.Code); pc += 4 {
			w := p.Code[pc : pc+4]
			dst, a, b := w[0]>>4&15, w[0]>>8&15, w[0]>>12&15
			code, k := w[0]>>16&255, w[0]>>24
			f := func(j int) float64 { return float64(math.Float32frombits(w[j])) }
			switch w[0] & 15 {
			case ewLoad:
				j := i
				if w[3] != 0 {
					j = i / int(w[1]) % int(w[2])
				}
				if int(k) >= len(ins) || j >= len(ins[k]) {
					return nil, fmt.Errorf("kernels: ewise: load of input %d index %d out of range", k, j)
				}
				r[dst] = ins[k][j]
			case ewConst:
				r[dst] = f(1)
			case ewUnary:
				r[dst] = UnaryRef(UnaryOp(code), []float64{r[a]}, f(1), f(2), f(3))[0]
			case ewBinary:
				v, err := BinaryRef(BinaryOp(code), []float64{r[a]}, []float64{r[b]}, one, one)
				if err != nil {
					return nil, err
				}
				r[dst] = v[0]
			case ewStore:
				outs[k][i] = r[a]
			}
		}
	}
	return outs, nil
}
