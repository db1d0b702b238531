package train

import (
	"fmt"

	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/model"
	"github.com/sdevk/sdevk/vk"
)

// ErrDeviceMemory is returned by New, before anything is allocated, when
// the training step's estimated memory exceeds the device's.
type ErrDeviceMemory struct {
	Batch                     int
	Need, Step, State, Device uint64 // bytes
}

func (e ErrDeviceMemory) Error() string {
	return fmt.Sprintf("train: a batch of %d needs about %s of device memory (the step's planned %s, parameters and optimiser state %s), more than the device's %s: lower training.batch_size",
		e.Batch, size(e.Need), size(e.Step), size(e.State), size(e.Device))
}

// size writes bytes in MiB below a GiB, else in GiB.
func size(b uint64) string {
	if b < 1<<30 {
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
}

// stateCopies is the float buffers per trainable parameter besides the
// step's own: the value, the flat gradient, Adam's two moments and the EMA.
const stateCopies = 5

// checkFits estimates the training step's device memory, the memory plan
// of the graph computing outs (the executor's arena) plus the parameters'
// and optimiser's buffers and the inputs, and fails with ErrDeviceMemory
// when it exceeds the device's largest device-local heap.
func checkFits(dev *vk.Device, cfg Config, specs []model.ParamSpec, outs []*graph.Node) error {
	heap := deviceMemory(dev)
	if heap == 0 {
		return nil // unknown: let the allocation say
	}
	gp, err := graph.Compile(&graph.PlanOptions{Align: int(dev.ViewAlign())}, outs...)
	if err != nil {
		return err
	}
	e := ErrDeviceMemory{Batch: cfg.Batch, Step: uint64(gp.Plan.ArenaBytes), Device: heap}
	for _, p := range specs {
		e.State += stateCopies * 4 * uint64(p.Size())
	}
	for _, n := range gp.Leaves {
		if n.Kind() == graph.OpInput || n.Kind() == graph.OpConst {
			e.State += 4 * uint64(n.Shape().Size())
		}
	}
	if e.Need = e.Step + e.State; e.Need > heap {
		return e
	}
	return nil
}

// deviceMemory is the size of the device's largest device-local heap (0:
// unknown); a variable so tests can shrink the device.
var deviceMemory = func(dev *vk.Device) uint64 { return dev.Info.LocalHeapBytes() }
