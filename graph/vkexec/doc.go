// Package vkexec runs graphs on a Vulkan device.
//
// Compile turns the outputs of a graph into a Program: graph.Compile prunes
// dead nodes and plans the intermediates into one arena by liveness, each op
// is lowered to the kernels of package kernels (the variant chosen for the
// device), and the whole program is recorded once into a vk.Sequence. Run
// then only writes the fed inputs and the run state (seed, step) into device
// buffers and re-submits the recorded commands: no per-node host work, no
// re-recording. Only the values a caller reads back cross to the host.
//
// Runs of consecutive elementwise steps of one size (unary ops, affine
// maps, broadcast binary ops, reshapes and fills) are fused: each run is
// one kernels.Ewise dispatch that loads its inputs once and stores only the
// values later steps or the caller read (fuse.go). Autodiff and the SDE
// losses make long chains of such small ops; a dispatch each costs more
// than their arithmetic (MLP training graph: 147 dispatches become 59).
//
// Dense layers are fused too where the device's SGEMM has an epilogue (the
// register-blocked SGEMM of CPU-type devices): a 2-D MatMul, the bias row
// added to it and an activation of the sum, each the only reader of the
// one before, are one SGEMM that adds the bias and applies the activation
// as it stores; an input joined by a Concat along its last axis is
// multiplied slice by slice, without the copy (fuse_dense.go). A sampler's
// MLP evaluation on lavapipe spent half its time in the elementwise passes
// over the products' outputs. Likewise a convolution and the per-channel
// bias added to it are one convolution that adds the bias as it stores
// (fuse_conv.go).
//
// Parameters live in a ParamStore on the device, shared by every program of
// an Executor (a training step and a sampler use the same weights) and
// updated in place by the fused optimiser kernels.
//
// Lowering an op: add a function to the table in lower.go that records the
// op's kernels given the op's input and output buffers. Ops without a
// lowering make Compile fail with an error naming the op, and the op
// table's coverage test (TestOpTableCoverage) fails until every kind has
// one; TestOpTable runs every case of graph/optest here, through each op's
// own lowering and with both fusions, against the reference executor.
package vkexec
