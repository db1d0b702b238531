package graph

import (
	"fmt"
	"slices"

	"github.com/sdevk/sdevk/graph/ref"
)

// UpFirDn2DAttr is score_sde's upfirdn2d (ref.UpFirDn2DGeom): upsample by
// Up, pad by Pad[axis] = {before, after} (axis 0 is H, 1 is W; negative
// crops), convolve with the K x K Kernel (row-major, a true convolution)
// and keep every Down-th sample.
type UpFirDn2DAttr struct {
	Kernel   []float64
	K        int
	Up, Down int
	Pad      [2][2]int
}

// UpFirDn2D is score_sde's upfirdn2d(x, kernel, up, down, pad=(pad0, pad1))
// applied to every plane of x[..., H, W] (every channel of an NCHW tensor)
// with the k x k kernel given row-major. The output is [..., OH, OW] with
// OH = (H*up + pad0 + pad1 - k)/down + 1. Callers scale the kernel as
// score_sde does (FIRUpsample2D and FIRDownsample2D do).
func UpFirDn2D(x *Node, kernel []float64, k int, up, down, pad0, pad1 int) *Node {
	pad := [2]int{pad0, pad1}
	return upFirDn2D(x, UpFirDn2DAttr{Kernel: kernel, K: k, Up: up, Down: down, Pad: [2][2]int{pad, pad}})
}

func upFirDn2D(x *Node, a UpFirDn2DAttr) *Node {
	a.Kernel = slices.Clone(a.Kernel)
	return x.graph.build(OpUpFirDn2D, a, x)
}

// UpFirDn2DGeom returns the geometry of an UpFirDn2D node.
func UpFirDn2DGeom(n *Node) ref.UpFirDn2DGeom {
	return upFirDn2DGeom(n.attr.(UpFirDn2DAttr), n.inputs[0].shape)
}

func upFirDn2DGeom(a UpFirDn2DAttr, x Shape) ref.UpFirDn2DGeom {
	planes, h, w := planeDims(x)
	return ref.UpFirDn2DGeom{Planes: planes, H: h, W: w, K: a.K, Up: a.Up, Down: a.Down, Pad: a.Pad}
}

func inferUpFirDn2D(attr any, in []Shape) (Shape, error) {
	a, ok := attr.(UpFirDn2DAttr)
	if !ok {
		return nil, fmt.Errorf("bad attributes %T", attr)
	}
	x := in[0]
	if len(x) < 2 || x.Size() == 0 {
		return nil, fmt.Errorf("input %v is not [..., H, W]", x)
	}
	if a.K < 1 || len(a.Kernel) != a.K*a.K {
		return nil, fmt.Errorf("kernel of %d values is not %d x %d", len(a.Kernel), a.K, a.K)
	}
	g := upFirDn2DGeom(a, x)
	if err := g.Check(); err != nil {
		return nil, fmt.Errorf("input %v: %w", x, err)
	}
	y := x.Clone()
	y[len(y)-2], y[len(y)-1] = g.OutH(), g.OutW()
	return y, nil
}

// vjpUpFirDn2D: the op is linear in x, and its transpose is another
// UpFirDn2D (the flipped kernel, up and down swapped, the adjoint pads), so
// derivatives of every order are UpFirDn2D nodes.
func vjpUpFirDn2D(n, gy *Node, _ []bool) []*Node {
	a := n.attr.(UpFirDn2DAttr)
	adj := UpFirDn2DGeom(n).Adjoint()
	return []*Node{upFirDn2D(gy, UpFirDn2DAttr{Kernel: ref.FlipKernel(a.Kernel), K: a.K, Up: adj.Up, Down: adj.Down, Pad: adj.Pad})}
}

func init() {
	register(OpUpFirDn2D, opDef{arity: 1, infer: inferUpFirDn2D,
		forward: func(_ *runCtx, n *Node, in []tensor, out []float64) {
			copy(out, ref.UpFirDn2D(in[0].data, n.attr.(UpFirDn2DAttr).Kernel, UpFirDn2DGeom(n)))
		},
		vjp: vjpUpFirDn2D,
	})
}
