package vk

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Interface is what a compute shader's SPIR-V says about how it is bound:
// its descriptor bindings (set 0, numbered 0..n-1), which of them it may
// write and the size of its push-constant block. Reading it from the module
// leaves a kernel's call site nothing to get wrong but the order of its
// buffers and push values.
type Interface struct {
	Kinds     []BindingKind // kind of binding i; len(Kinds) bindings
	Writes    []int         // bindings not declared readonly, ascending
	PushBytes uint32        // size of the push-constant block, 0 if none
}

// SPIR-V opcodes, decorations and enumerants that ReadInterface looks at
// (SPIR-V specification, section 3).
const (
	spvMagic = 0x07230203

	opTypeBool         = 20
	opTypeInt          = 21
	opTypeFloat        = 22
	opTypeVector       = 23
	opTypeMatrix       = 24
	opTypeImage        = 25
	opTypeSampledImage = 27
	opTypeArray        = 28
	opTypeRuntimeArray = 29
	opTypeStruct       = 30
	opTypePointer      = 32
	opConstant         = 43
	opVariable         = 59
	opDecorate         = 71
	opMemberDecorate   = 72

	decBlock         = 2
	decBufferBlock   = 3
	decArrayStride   = 6
	decMatrixStride  = 7
	decNonWritable   = 24
	decBinding       = 33
	decDescriptorSet = 34
	decOffset        = 35

	scUniformConstant = 0
	scUniform         = 2
	scPushConstant    = 9
	scStorageBuffer   = 12

	dimBuffer = 5
)

// spvModule is the part of a module ReadInterface needs, by result id.
type spvModule struct {
	types     map[uint32][]uint32 // type id -> its instruction (opcode first, result id dropped)
	consts    map[uint32]uint32   // 32-bit constant id -> value
	vars      []spvVar
	decor     map[uint32]map[uint32]uint32 // id -> decoration -> first literal
	memberDec map[uint32]map[uint32]map[uint32]uint32
}

type spvVar struct{ id, ptrType, class uint32 }

// ReadInterface reads a compute shader's interface from its SPIR-V.
// Bindings several variables alias (one buffer read as float and as vec4)
// count once, written if any alias is writable.
func ReadInterface(code []byte) (Interface, error) {
	m, err := parseSPIRV(code)
	if err != nil {
		return Interface{}, err
	}
	var iface Interface
	kinds := map[uint32]BindingKind{}
	written := map[uint32]bool{}
	for _, v := range m.vars {
		switch v.class {
		case scPushConstant:
			size, err := m.sizeOf(m.pointee(v.ptrType))
			if err != nil {
				return Interface{}, fmt.Errorf("spirv: push constants: %v", err)
			}
			iface.PushBytes = max(iface.PushBytes, size)
			continue
		case scUniform, scStorageBuffer, scUniformConstant:
		default:
			continue
		}
		binding, ok := m.decor[v.id][decBinding]
		if !ok {
			continue
		}
		if set := m.decor[v.id][decDescriptorSet]; set != 0 {
			return Interface{}, fmt.Errorf("spirv: binding %d is in descriptor set %d, kernels use set 0 only", binding, set)
		}
		kind, writable, err := m.bindingKind(v)
		if err != nil {
			return Interface{}, fmt.Errorf("spirv: binding %d: %v", binding, err)
		}
		if k, seen := kinds[binding]; seen && k != kind {
			return Interface{}, fmt.Errorf("spirv: binding %d is declared as two kinds (%s and %s)", binding, k, kind)
		}
		kinds[binding] = kind
		written[binding] = written[binding] || writable
	}
	iface.Kinds = make([]BindingKind, len(kinds))
	for b, k := range kinds {
		if int(b) >= len(kinds) {
			return Interface{}, fmt.Errorf("spirv: bindings are not numbered 0..%d (binding %d)", len(kinds)-1, b)
		}
		iface.Kinds[b] = k
		if written[b] {
			iface.Writes = append(iface.Writes, int(b))
		}
	}
	sort.Ints(iface.Writes)
	return iface, nil
}

// bindingKind classifies a descriptor variable and says whether the shader
// may write through it.
func (m *spvModule) bindingKind(v spvVar) (BindingKind, bool, error) {
	t := m.pointee(v.ptrType)
	ins := m.types[t]
	if len(ins) == 0 {
		return 0, false, fmt.Errorf("unknown type %%%d", t)
	}
	switch {
	case ins[0] == opTypeStruct && (v.class == scStorageBuffer || m.hasDecor(t, decBufferBlock)):
		readonly := m.hasDecor(v.id, decNonWritable)
		if !readonly {
			readonly = len(ins) > 1
			for member := range ins[1:] {
				if _, ok := m.memberDec[t][uint32(member)][decNonWritable]; !ok {
					readonly = false
				}
			}
		}
		return Storage, !readonly, nil
	case ins[0] == opTypeSampledImage:
		img := m.types[ins[1]]
		// OpTypeImage: sampled type, dim, depth, arrayed, MS, sampled, format.
		if len(img) >= 7 && img[0] == opTypeImage && img[2] == dimBuffer && img[6] == 1 {
			return TexelsVec4, false, nil
		}
	}
	return 0, false, fmt.Errorf("unsupported descriptor (storage buffers and samplerBuffers only)")
}

func (m *spvModule) hasDecor(id, dec uint32) bool {
	_, ok := m.decor[id][dec]
	return ok
}

// pointee is the type a pointer type points to.
func (m *spvModule) pointee(ptr uint32) uint32 {
	if ins := m.types[ptr]; len(ins) == 3 && ins[0] == opTypePointer {
		return ins[2]
	}
	return 0
}

// sizeOf is the byte size of a type as laid out by its Offset and stride
// decorations (a struct ends at its last member's end).
func (m *spvModule) sizeOf(t uint32) (uint32, error) {
	ins := m.types[t]
	if len(ins) == 0 {
		return 0, fmt.Errorf("unknown type %%%d", t)
	}
	switch ins[0] {
	case opTypeBool:
		return 4, nil
	case opTypeInt, opTypeFloat:
		return ins[1] / 8, nil
	case opTypeVector:
		c, err := m.sizeOf(ins[1])
		return c * ins[2], err
	case opTypeMatrix:
		if stride, ok := m.decor[t][decMatrixStride]; ok {
			return stride * ins[2], nil
		}
		c, err := m.sizeOf(ins[1])
		return c * ins[2], err
	case opTypeArray:
		n, ok := m.consts[ins[2]]
		if !ok {
			return 0, fmt.Errorf("array %%%d has no constant length", t)
		}
		if stride, ok := m.decor[t][decArrayStride]; ok {
			return stride * n, nil
		}
		e, err := m.sizeOf(ins[1])
		return e * n, err
	case opTypeStruct:
		var end uint32
		for i, member := range ins[1:] {
			off, ok := m.memberDec[t][uint32(i)][decOffset]
			if !ok {
				return 0, fmt.Errorf("struct %%%d member %d has no offset", t, i)
			}
			s, err := m.sizeOf(member)
			if err != nil {
				return 0, err
			}
			end = max(end, off+s)
		}
		return end, nil
	}
	return 0, fmt.Errorf("type %%%d (opcode %d) has no size", t, ins[0])
}

// parseSPIRV indexes the types, constants, variables and decorations of a
// module.
func parseSPIRV(code []byte) (*spvModule, error) {
	if len(code) < 20 || len(code)%4 != 0 {
		return nil, fmt.Errorf("spirv: %d bytes is not a module", len(code))
	}
	words := make([]uint32, len(code)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(code[4*i:])
	}
	if words[0] != spvMagic {
		return nil, fmt.Errorf("spirv: bad magic number %#x", words[0])
	}
	m := &spvModule{
		types: map[uint32][]uint32{}, consts: map[uint32]uint32{},
		decor: map[uint32]map[uint32]uint32{}, memberDec: map[uint32]map[uint32]map[uint32]uint32{},
	}
	for i := 5; i < len(words); {
		n, op := int(words[i]>>16), words[i]&0xffff
		if n == 0 || i+n > len(words) {
			return nil, fmt.Errorf("spirv: truncated instruction at word %d", i)
		}
		ins := words[i : i+n]
		i += n
		switch {
		case op >= opTypeBool && op <= opTypePointer && n >= 2:
			// Keep the opcode, drop the result id.
			m.types[ins[1]] = append([]uint32{op}, ins[2:]...)
		case op == opConstant && n == 4:
			m.consts[ins[2]] = ins[3]
		case op == opVariable && n >= 4:
			m.vars = append(m.vars, spvVar{id: ins[2], ptrType: ins[1], class: ins[3]})
		case op == opDecorate && n >= 3:
			if m.decor[ins[1]] == nil {
				m.decor[ins[1]] = map[uint32]uint32{}
			}
			m.decor[ins[1]][ins[2]] = literal(ins[3:])
		case op == opMemberDecorate && n >= 4:
			if m.memberDec[ins[1]] == nil {
				m.memberDec[ins[1]] = map[uint32]map[uint32]uint32{}
			}
			if m.memberDec[ins[1]][ins[2]] == nil {
				m.memberDec[ins[1]][ins[2]] = map[uint32]uint32{}
			}
			m.memberDec[ins[1]][ins[2]][ins[3]] = literal(ins[4:])
		}
	}
	return m, nil
}

// literal is a decoration's first literal operand, 0 when it has none.
func literal(ops []uint32) uint32 {
	if len(ops) == 0 {
		return 0
	}
	return ops[0]
}
