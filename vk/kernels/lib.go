package kernels

import (
	"fmt"

	"github.com/sdevk/sdevk/shaders"
	"github.com/sdevk/sdevk/vk"
)

// Lib records sdevk's kernels on one device.
type Lib struct {
	Dev *vk.Device
	// Tuning shapes the kernels for Dev (DefaultTuning); tests and
	// benchmarks may change it before recording.
	Tuning Tuning

	scratch *vk.Buffer
	dummy   *vk.Buffer
	conv    convScratch // the convolutions' scratch buffers
	// kernels caches compiled pipelines by their spec, so recording a
	// dispatch costs a map lookup, not a SPIR-V read and a formatted key.
	kernels map[kernelKey]*vk.Kernel
	// ewise caches the pipelines of fused programs by their code, layout
	// and width (too many constants for kernelKey).
	ewise map[[4*EwiseSlots + 3]uint32]*vk.Kernel
}

// kernelKey identifies a pipeline of the library (up to 8 constants).
type kernelKey struct {
	name   string
	local  [3]uint32
	nconst int
	consts [8]uint32
}

// ReduceScratch returns a scratch buffer big enough for any Reduce,
// allocated on first use and freed with Close. Reductions recorded into one
// sequence may share it: the sequence orders them.
func (l *Lib) ReduceScratch() (*vk.Buffer, error) {
	if l.scratch == nil {
		b, err := l.Dev.NewBufferF32(MaxReduceScratch)
		if err != nil {
			return nil, err
		}
		l.scratch = b
	}
	return l.scratch, nil
}

// dummyBuffer is a small buffer bound where a kernel's optional output is
// not wanted.
func (l *Lib) dummyBuffer() (*vk.Buffer, error) {
	if l.dummy == nil {
		b, err := l.Dev.NewBufferF32(4)
		if err != nil {
			return nil, err
		}
		l.dummy = b
	}
	return l.dummy, nil
}

// Close frees the library's buffers (not the device).
func (l *Lib) Close() {
	l.dummy.Free()
	l.dummy = nil
	l.scratch.Free()
	l.scratch = nil
	l.conv.free()
}

// New prepares the kernels of dev. Pipelines are compiled on first use.
func New(dev *vk.Device) *Lib {
	t, err := TuningFor(&dev.Info, dev.TuningOverrides())
	if err != nil {
		// Overrides reach a device only from callers that checked them with
		// TuningFor (sdevk bench --tuning); a bad one keeps the preset.
		t = DefaultTuning(&dev.Info)
	}
	return &Lib{Dev: dev, Tuning: t}
}

// kernel compiles (once) the named shader with the given workgroup size and
// specialization constants. Its bindings (their kinds, which it writes) and
// push-constant size are read from its SPIR-V when it is loaded, so a call
// site states only the order of its buffers and push values, and
// Sequence.Dispatch checks their counts against the shader's.
func (l *Lib) kernel(name string, local [3]uint32, consts ...uint32) (*vk.Kernel, error) {
	key := kernelKey{name: name, local: local, nconst: len(consts)}
	cacheable := len(consts) <= len(key.consts)
	if cacheable {
		copy(key.consts[:], consts)
		if k, ok := l.kernels[key]; ok {
			return k, nil
		}
	}
	code, err := shaders.SPIRV(name)
	if err != nil {
		return nil, err
	}
	k, err := l.Dev.Kernel(vk.KernelSpec{Name: name, SPIRV: code, Local: local, Consts: consts})
	if err == nil && cacheable {
		if l.kernels == nil {
			l.kernels = map[kernelKey]*vk.Kernel{}
		}
		l.kernels[key] = k
	}
	return k, err
}

// kernel1D compiles a 1-D shader with the library's workgroup width.
func (l *Lib) kernel1D(name string, consts ...uint32) (*vk.Kernel, error) {
	return l.kernel(name, [3]uint32{l.Tuning.Local1D, 1, 1}, consts...)
}

// checkLen fails when a buffer is too short for n float32 values.
func checkLen(kernel, what string, b *vk.Buffer, n int) error {
	if b.Len() < n {
		return fmt.Errorf("kernels: %s: %s holds %d values, needs %d", kernel, what, b.Len(), n)
	}
	return nil
}
