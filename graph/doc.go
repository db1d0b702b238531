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
// Plan) is shared by the executors. Reference runs any Program with the
// pure-Go float64 kernels, inside the planned arena so that planning bugs
// show up as wrong values; it is the test oracle and a slow fallback. The
// Vulkan executor (vulkan_*.go) records the Steps once: it switches on
// Node.Kind, reads the attribute struct from Node.Attr (see OpKind), binds
// leaves as their own buffers and step outputs at their Plan offsets.
// Kernels must write every element of their output, which never aliases an
// input.
//
// # Adding an op
//
//  1. Add an OpKind constant (ops.go) with its name and, if it has
//     parameters, an attribute struct; write the builder function, which
//     calls g.build(kind, attr, inputs...).
//  2. Register an opDef in an init function: infer (output shape, with an
//     error naming both shapes), forward (the float64 reference kernel)
//     and vjp (the input gradients built from graph ops; use sumTo for
//     broadcast inputs). A fused op whose gradient is another fused op
//     should also give a composite, so its gradient op can use
//     vjpViaComposite and stay differentiable.
//  3. Write the shader in shaders/NAME.comp (./build.sh shaders), its typed
//     wrapper and float64 reference in package kernels with a table test on
//     sizes that are not multiples of the workgroup size, and a lowering in
//     graph/vkexec/lower.go; extend a graph/vkexec test so the Vulkan
//     executor is compared with the reference executor on the new op.
//  4. Add a row to opCases in ops_test.go: input shapes, the builder and an
//     independent reference. TestOps then checks the forward value, the
//     VJP against central finite differences and the second-order
//     derivative, and fails for kinds missing from the table.
package graph
