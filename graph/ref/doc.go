// Package ref holds the float64 reference of every graph op: the one
// definition of each op's maths, which the graph package's reference
// executor runs and the shaders of vk/kernels are tested against, so the
// two executors cannot drift apart on a formula.
//
// It also defines each op's geometry once (Conv2DGeom, AttentionShape,
// GroupNormShape, UpFirDn2DGeom): vk/kernels names them with type aliases,
// and the graph package reads them off a node's shapes and attributes
// (graph.Conv2DGeom, graph.AttentionShape, graph.GroupNormShape,
// graph.UpFirDn2DGeom), which both executors use, so
// no code copies one geometry into another field by field:
//
//	g := ref.Conv2DGeom{N: 1, C: 3, H: 5, W: 5, O: 8, KH: 3, KW: 3, Pad: [2]int{1, 1}}
//	y := ref.Conv2D(x, w, nil, g)     // [N, O, g.OutH(), g.OutW()]
//	gx := ref.Conv2DBackData(gy, w, g) // the gradient of sum(gy * y) in x
//
// What lives here: the value of each op and of its fused gradient ops, on
// plain row-major []float64, accumulated in float64. Functions return new
// slices; a caller that owns an output buffer copies into it. They assume
// their arguments were checked (by graph's shape inference or a kernel's
// launch checks; each geometry has a Check method for that) and index out
// of range otherwise.
//
// What does not: shape inference, VJPs and error reporting, which are the
// graph package's; random draws, which are graph/rng's Philox streams; and
// the references of device computations that are not graph ops (Adam and
// EMA, the SDE samplers' fused updates). Each of those has a single
// reference beside its kernel in vk/kernels, used by the kernel tests and by
// sde/train's reference trainer; moving them here would make this package
// depend on kernel configuration types without removing a copy.
//
// The package imports only the standard library and graph/rng, so every
// layer can use it.
package ref
