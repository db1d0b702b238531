package vkexec

import (
	"testing"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/optest"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// device runs the op table's graphs on a Vulkan device: one compiled
// program per run (runProgram), float32 inputs.
type device struct{ e *Executor }

func (d device) Run(seed uint64, step uint32, feeds graph.Feeds, outputs ...*graph.Node) ([][]float64, error) {
	p, err := runProgram(d.e, seed, step, feeds, outputs...)
	if err != nil {
		return nil, err
	}
	defer p.Release()
	res := make([][]float64, len(outputs))
	for i, o := range outputs {
		got, err := p.Read(o)
		if err != nil {
			return nil, err
		}
		res[i] = make([]float64, len(got))
		for j, v := range got {
			res[i][j] = float64(v)
		}
	}
	return res, nil
}

// TestOpTable runs the op table on the device, each op through its own
// lowering and then with elementwise runs fused, against the reference
// executor: values, VJPs and second-order products, in float32.
func TestOpTable(t *testing.T) {
	dev := vktest.Open(t, vk.Options{})
	exec := device{New(dev)}
	defer exec.e.Params.Release()
	tol := optest.Tolerance{Rel: 1e-4, Abs: 1e-5}
	defer setFusion(true)()
	for _, fuse := range []bool{false, true} {
		name := map[bool]string{false: "lowered", true: "fused"}[fuse]
		t.Run(name, func(t *testing.T) {
			setFusion(fuse)
			optest.Run(t, exec, tol)
		})
	}
}

// TestOpTableCoverage fails for an op kind without a case in the table or
// without a lowering here.
func TestOpTableCoverage(t *testing.T) {
	optest.Coverage(t, func(k graph.OpKind) bool { return lowerings[k] != nil })
}
