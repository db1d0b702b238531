// Package kernels wraps each compute shader of shaders/ in a typed Go call:
// it owns the push-constant layout, the dispatch geometry and the choice of
// variant per device (CPU-type devices such as lavapipe want large register
// blocks and no shared memory; GPUs want shared-memory tiles), all of which
// one Tuning value per device decides (DefaultTuning, printed by `sdevk
// info`). A shader's bindings and push-constant size are read from its
// SPIR-V when it is loaded (vk.ReadInterface), never restated. Every shader
// is tested against a float64 reference: graph/ref's for the kernels of
// graph ops (the reference executor runs the same functions), ref_*.go here
// for the computations that are not graph ops (Adam, EMA, the samplers'
// fused updates).
//
// A Lib is created once per device; its methods record into a vk.Sequence and
// never submit, so callers (the graph executor, the samplers, the benchmarks)
// batch as many dispatches per submit as they like.
//
// Adding a kernel: write shaders/NAME.comp (see shaders' conventions), run
// ./build.sh shaders, add a method here that builds its KernelSpec and push
// constants, its float64 reference (in graph/ref when it computes a graph
// op, else in ref_*.go), and a test against it (the
// helpers are in harness_test.go) with sizes that are not multiples of the
// workgroup size.
//
// Elementwise chains need no kernel of their own: EwiseProgram describes a
// fused run of unary and binary ops, and Ewise runs it as one dispatch whose
// instructions are specialization constants.
package kernels
