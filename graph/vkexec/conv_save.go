package vkexec

import (
	"github.com/sdevk/sdevk/graph"
	"github.com/sdevk/sdevk/graph/ref"
	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

// maxSavedTransformBytes bounds the memory a program spends keeping forward
// convolutions' Winograd input transforms for their filter gradients
// (2.25 times each input): the first pairs in step order that fit keep
// theirs, the rest recompute it. On lavapipe the recomputation was a tenth
// of a U-Net training step.
var maxSavedTransformBytes = 1 << 30

// convKey is a convolution's input and geometry: a forward convolution and
// the filter gradient that share them share the transformed input.
type convKey struct {
	x *graph.Node
	g ref.Conv2DGeom
}

func keyOf(n *graph.Node) convKey { return convKey{n.Inputs()[0], graph.Conv2DGeom(n).Norm()} }

// keptTransforms returns, for the forward convolutions whose filter gradient
// the program also computes from the same input, the length of the buffer
// that keeps their transformed input (kernels.WinogradInputSave), within
// maxSavedTransformBytes.
func keptTransforms(gp *graph.Program, lib *kernels.Lib) map[convKey]int {
	filters := map[convKey]bool{}
	for _, n := range gp.Steps {
		if n.Kind() == graph.OpConv2DBackFilter {
			filters[keyOf(n)] = true
		}
	}
	kept := map[convKey]int{}
	budget := maxSavedTransformBytes / 4
	for _, n := range gp.Steps {
		if n.Kind() != graph.OpConv2D {
			continue
		}
		k := keyOf(n)
		if !filters[k] || kept[k] > 0 {
			continue
		}
		if m := lib.WinogradInputSave(k.g); m > 0 && m <= budget {
			kept[k] = m
			budget -= m
		}
	}
	return kept
}

// conv2D records the forward convolution n (with bias when not nil),
// keeping its transformed input when the program's filter gradient reads it.
func (r *recorder) conv2D(n *graph.Node, x, w, bias, out *vk.Buffer) error {
	k := keyOf(n)
	m := r.kept[k]
	if m == 0 {
		return r.lib.Conv2D(r.seq, x, w, bias, out, k.g)
	}
	// One buffer per program, whichever sequences it is recorded into.
	save := r.saved[k]
	if save == nil {
		var err error
		if save, err = r.temp(m); err != nil {
			return err
		}
		r.saved[k] = save
	}
	return r.lib.Conv2DSaving(r.seq, x, w, bias, out, save, k.g)
}

// conv2DBackFilter records the filter gradient n, from its forward
// convolution's kept transform when there is one.
func (r *recorder) conv2DBackFilter(n *graph.Node, x, gy, gw *vk.Buffer) error {
	k := keyOf(n)
	if saved := r.saved[k]; saved != nil {
		return r.lib.Conv2DBackFilterSaved(r.seq, x, gy, gw, saved, k.g)
	}
	return r.lib.Conv2DBackFilter(r.seq, x, gy, gw, k.g)
}
