// Package optest is the op table of package graph and the suite that runs
// it on any executor: one list of cases, every backend (the pattern of
// ggml's test-backend-ops and gonum's testlapack).
//
// A case builds one op from Input nodes of small shapes whose sizes are not
// multiples of any workgroup size, and may give an independent float64
// reference for its value. From it the suite builds the op's value y, its
// vector-Jacobian product (the gradient of sum(y*R) for a fixed random R)
// and, unless the case opts out, a Hessian-vector product (the gradient of
// that gradient dotted with a fixed random u). Every executor runs the
// same three, so the VJP and second-order graphs (GroupNormGrad,
// AttentionGrad, Equal, Fill, ...) are checked too.
//
// An executor's test calls the suite with an Executor adapter:
//
//	func TestOpTable(t *testing.T) {
//		optest.Run(t, myExecutor, optest.Tolerance{Rel: 1e-4, Abs: 1e-5})
//	}
//
// Run compares the executor's values with the case's reference and all
// three outputs with the float64 reference executor, which is the oracle;
// FiniteDifferences checks an exact (float64) executor's derivatives
// against central differences, which is what makes the reference executor
// an oracle; Coverage fails for an op kind no case exercises and, given a
// function saying which kinds the executor supports (vkexec: which have a
// lowering), for one it cannot run.
//
// Package graph's tests run the suite on the reference executor and
// graph/vkexec's on the Vulkan device. Adding an op adds one entry to the
// table in cases.go. Central differences and the random inputs come from
// the leaf package graph/optest/fd, which graph's internal tests use too.
package optest
