// Package graph builds graphs of tensor operations, differentiates them and
// runs them. It is what trains and runs every sdevk score network.
//
// # Graphs
//
// A Graph holds Nodes in topological order. Leaves are Input nodes (fed on
// every run: data batches, or per-run scalars of shape [] such as t or the
// learning rate), Param nodes (trainable, persisted, read by name from the
// executor's Store) and Const nodes. Everything else is an op built by a
// function of this package:
//
//	g := graph.New()
//	x := g.Input("x", 512, 2)
//	w := g.Param("l1.w", 2, 128)
//	h := graph.SiLU(graph.Add(graph.MatMul(x, w), g.Param("l1.b", 128)))
//	...
//	if err := g.Err(); err != nil { ... }
//
// Tensors are float32 on devices; shapes are fixed when the graph is built
// (images are NCHW). Builders do not return errors: the first shape error,
// which names the op and the shapes involved, is recorded on the Graph and
// later builders return a poisoned node, so model code checks g.Err once.
// A Graph is not safe for concurrent building.
//
// Random numbers are nodes too (RandNormal, RandRademacher, RandUniform,
// Dropout): their values come from the Philox generator of package rng
// keyed by the run's Seed and Step and the node's stream, so every executor
// draws the same numbers.
//
// # Derivatives
//
// Grad(loss, wrt...) and VJP(outputs, cotangents, wrt) add the reverse-mode
// derivative to the graph as ordinary nodes, using each op's VJP rule from
// a registry. The rules are built from differentiable ops, so derivatives
// compose: Hessian-vector products, v^T (ds/dx) v for sliced score matching
// and Hutchinson traces are Grad of a Grad. Fused gradient ops
// (GroupNormGrad, AttentionGrad) are differentiated through their
// compositions of simpler ops. JVP gives forward-mode products by
// transposing a VJP.
//
// # Execution
//
// Compile prunes a graph to what the requested outputs need and plans the
// memory of the intermediates (plan.go): every op output gets a range of one
// arena, reused once its last reader has run, so the planned peak is well
// below the sum of all intermediates. The resulting Program (Leaves, Steps,
// Plan) is shared by the executors. Reference runs any Program with the ops'
// float64 references (graph/ref), inside the planned arena so that planning
// bugs show up as wrong values; it is the test oracle and a slow fallback.
// The Vulkan executor (package graph/vkexec) records the Steps once: it
// switches on Node.Kind, reads the attribute struct from Node.Attr (see
// OpKind), binds leaves as their own buffers and step outputs at their Plan
// offsets. Kernels must write every element of their output, which never
// aliases an input.
//
// # Adding an op
//
// An op is four things, each in one place:
//
//  1. One definition (graph/ops_*.go): an OpKind constant in ops.go with
//     its name and, if it has parameters, an attribute struct; the builder
//     function, which calls g.build(kind, attr, inputs...); and an opDef
//     registered in an init function with infer (the shape rule: the
//     output shape, or an error naming the op and its input shapes),
//     forward (which calls the op's float64 reference in graph/ref) and
//     vjp (the input gradients built from graph ops; use sumTo for
//     broadcast inputs). The float64 reference is one function per value
//     in graph/ref (a fused gradient op gets its own, with a
//     central-difference test there). An op with a geometry beyond its
//     shapes declares it once, as a graph/ref type with a Check method,
//     read off the node by one function (like Conv2DGeom(n)) that infer,
//     forward and the lowering all use; vk/kernels names it by a type
//     alias. A fused op whose gradient is another fused op also gives a
//     composite, so that its gradient op can use vjpViaComposite and stay
//     differentiable.
//  2. One shader and its Go call: shaders/NAME.comp (./build.sh shaders),
//     and the kernels.Lib method in vk/kernels that records it, with a
//     table test against the graph/ref function on sizes that are not
//     multiples of the workgroup size.
//  3. One lowering: an entry of the lowerings table in
//     graph/vkexec/lower.go that records the op's kernels given its input
//     and output buffers.
//  4. One table entry: an opCase in graph/optest/cases.go with input
//     shapes whose sizes are not multiples of a workgroup size, the
//     builder, and an independent reference for the value where one is
//     short to write. The suite then checks, on the reference executor,
//     the value against that reference and the VJP and second-order
//     products against central finite differences (graph's TestOpTable*),
//     and on the Vulkan executor all three against the reference executor,
//     through the op's own lowering and fused, under the validation layer
//     when SDEVK_VALIDATE=1 (graph/vkexec's TestOpTable). The coverage
//     tests of both packages fail until the kind has a case and a lowering.
package graph
