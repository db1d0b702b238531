package kernels_test

import (
	"testing"

	"github.com/sdevk/sdevk/bench/benchtest"
	"github.com/sdevk/sdevk/internal/vktest"
	"github.com/sdevk/sdevk/vk"
)

// The kernels' benchmarks are bench's cases (what `sdevk bench`
// measures), run by `go test -bench`: each row is timed by the same harness
// and compared with a reference measured in the same run (vs-ref).

// BenchmarkGemm: SGEMM per variant and shape, against gonum's blas32 on the
// host at the same shape.
func BenchmarkGemm(b *testing.B) { run(b, "sgemm") }

// BenchmarkStreams: the fused 4-stream update against vkCmdCopyBuffer.
func BenchmarkStreams(b *testing.B) { run(b, "fused") }

// BenchmarkElementwise: SiLU, Add with and without a bias row, and the
// full sum, against vkCmdCopyBuffer.
func BenchmarkElementwise(b *testing.B) { run(b, "elementwise") }

// BenchmarkDispatch: the cost of one small dispatch in a recorded chain.
func BenchmarkDispatch(b *testing.B) { run(b, "dispatch") }

// BenchmarkConv2D3x3: the convolution's three products per variant against
// SGEMM 1024.
func BenchmarkConv2D3x3(b *testing.B) { run(b, "conv2d") }

// BenchmarkAttention: fused attention forward and backward against SGEMM
// 1024.
func BenchmarkAttention(b *testing.B) { run(b, "attention") }

func run(b *testing.B, groups ...string) {
	benchtest.Run(b, vktest.Open(b, vk.Options{}), groups...)
}
