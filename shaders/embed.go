// Package shaders holds sdevk's GLSL compute shaders and their compiled
// SPIR-V. build.sh compiles shaders/*.comp into shaders/spv/*.spv with glslc
// and validates them with spirv-val; the SPIR-V is committed and embedded, so
// `go build` needs no shader compiler. `./build.sh check` fails when a .spv
// is missing or differs from what its source compiles to.
//
// Conventions every shader follows (see common.glsl):
//   - workgroup size from specialization constants 0, 1, 2; kernel-specific
//     constants (op codes, tile sizes) from id 3 on;
//   - storage buffers at set 0, bindings 0..n-1, inputs first, outputs last;
//     inputs are declared readonly: the host reads each kernel's bindings,
//     which of them it writes and its push-constant size from the SPIR-V
//     (vk.ReadInterface), so a buffer not marked readonly counts as written
//     (and costs a barrier before the next reader);
//   - sizes and scalars in push constants (at most 128 bytes, the minimum
//     every device supports);
//   - 1-D problems index with flat_id() and return past the size, so the host
//     may spill a large dispatch into a 2-D grid.
package shaders

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed spv/*.spv
var compiled embed.FS

// SPIRV returns the compiled module of shaders/NAME.comp.
func SPIRV(name string) ([]byte, error) {
	b, err := compiled.ReadFile("spv/" + name + ".spv")
	if err != nil {
		return nil, fmt.Errorf("shaders: no compiled shader %q (run ./build.sh)", name)
	}
	return b, nil
}

// Names lists the embedded shaders.
func Names() []string {
	entries, _ := compiled.ReadDir("spv")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".spv"))
	}
	sort.Strings(out)
	return out
}
