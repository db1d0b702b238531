// Package ref holds the float64 reference of every graph op: the one
// definition of each op's maths that the graph package's reference executor
// runs and that the device kernels of vk/kernels are tested against, so the
// two executors cannot drift apart on a formula.
//
// It also defines each op's geometry once (Conv2DGeom, AttentionShape,
// GroupNormShape): vk/kernels names them with type aliases and the graph
// package derives them from a node's shapes and attributes, so no code
// copies one geometry into another field by field.
//
// What lives here: the value of an op and of its fused gradient (GroupNorm
// and GroupNormGrad, Attention and AttentionGrad, the three convolutions),
// on plain row-major []float64. What does not: shape inference, VJPs and
// error reporting, which are the graph package's (functions here assume
// their arguments were checked and index out of range otherwise), and the
// references of device computations that are not graph ops (Adam and EMA,
// the SDE samplers' fused updates): each of those has one user beside its
// kernel in vk/kernels (and the reference trainer of sde/train), so moving
// it here would only make this package depend on kernel configuration types.
//
// Functions return new slices; callers that own an output buffer copy into
// it. The package imports only the standard library and graph/rng, so any
// layer can use it.
package ref
