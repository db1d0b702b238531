package vk

import (
	"fmt"
	"slices"
)

// declaresInterface reports whether the spec states its interface rather
// than leaving it to the SPIR-V.
func (s *KernelSpec) declaresInterface() bool {
	return s.Bindings != 0 || len(s.Kinds) != 0 || s.Writes != nil || s.PushBytes != 0
}

// resolveInterface fills an undeclared interface from the SPIR-V, or checks
// a declared one against it, so a binding or push-constant mismatch fails
// when the kernel is loaded rather than as a wrong result at dispatch.
func (s *KernelSpec) resolveInterface() error {
	iface, err := ReadInterface(s.SPIRV)
	if err != nil {
		return fmt.Errorf("vulkan: kernel %s: %v", s.Name, err)
	}
	if !s.declaresInterface() {
		s.Bindings, s.Kinds, s.Writes, s.PushBytes = len(iface.Kinds), iface.Kinds, iface.Writes, iface.PushBytes
		return nil
	}
	return s.matches(iface)
}

// matches names the first difference between a declared interface and the
// shader's.
func (s *KernelSpec) matches(iface Interface) error {
	if s.Bindings != len(iface.Kinds) {
		return fmt.Errorf("vulkan: kernel %s: declared %d bindings, the shader has %d", s.Name, s.Bindings, len(iface.Kinds))
	}
	if len(s.Kinds) > s.Bindings {
		return fmt.Errorf("vulkan: kernel %s: %d binding kinds for %d bindings", s.Name, len(s.Kinds), s.Bindings)
	}
	for i, kind := range iface.Kinds {
		if s.kindOf(i) != kind {
			return fmt.Errorf("vulkan: kernel %s: binding %d declared %s, the shader has %s", s.Name, i, s.kindOf(i), kind)
		}
		declared, shader := slices.Contains(s.Writes, i), slices.Contains(iface.Writes, i)
		if declared && !shader && kind == TexelsVec4 {
			return fmt.Errorf("vulkan: kernel %s writes binding %d, a read-only texel buffer", s.Name, i)
		}
		if declared != shader {
			return fmt.Errorf("vulkan: kernel %s: binding %d declared %s, the shader has it %s", s.Name, i, access(declared), access(shader))
		}
	}
	if s.PushBytes != iface.PushBytes {
		return fmt.Errorf("vulkan: kernel %s: declared %d bytes of push constants, the shader's block is %d", s.Name, s.PushBytes, iface.PushBytes)
	}
	return nil
}

func access(written bool) string {
	if written {
		return "written"
	}
	return "read-only"
}

func (k BindingKind) String() string {
	switch k {
	case Storage:
		return "storage buffer"
	case TexelsVec4:
		return "vec4 texel buffer"
	}
	return fmt.Sprintf("binding kind %d", uint8(k))
}
