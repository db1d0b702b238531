package bench

import (
	"fmt"
	"runtime"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

type gemmShape struct{ m, n, k int }

func (s gemmShape) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k) }

func (s gemmShape) flops() float64 { return 2 * float64(s.m) * float64(s.n) * float64(s.k) }

// gemmShapes are the SGEMM sizes, shared by the sgemm and gonum groups:
// squares, then the skinny MLP layer (see the package doc).
func (r *runner) gemmShapes() []gemmShape {
	sizes := []int{256, 512, 1024, 2048}
	if r.opt.Quick {
		sizes = sizes[:2]
	}
	var out []gemmShape
	for _, n := range sizes {
		out = append(out, gemmShape{n, n, n})
	}
	if !r.opt.Quick {
		out = append(out, gemmShape{16384, 128, 128})
	}
	return out
}

// sgemmCases time C = A B for every variant at every shape (GPU time; naive
// skipped at 2048, where one run takes seconds), each against gonum at the
// same shape.
func (r *runner) sgemmCases() []*Case {
	var out []*Case
	for _, s := range r.gemmShapes() {
		ref := r.gonumCase(s)
		for _, v := range []kernels.GemmVariant{kernels.GemmReg, kernels.GemmTiled, kernels.GemmNaive} {
			if v == kernels.GemmNaive && s.m*s.n*s.k > 1024*1024*1024 {
				continue
			}
			c := r.sgemmCase(v, s)
			c.Ref = ref
			out = append(out, c)
		}
	}
	return out
}

func (r *runner) sgemmCase(v kernels.GemmVariant, s gemmShape) *Case {
	return &Case{Op: "sgemm", Shape: s.String(), Variant: v.String(), FLOPs: s.flops(), prepare: func() (*Replay, error) {
		bufs, err := r.randomBuffers(s.m*s.k, s.k*s.n, s.m*s.n)
		if err != nil {
			return nil, err
		}
		return r.gpuReplay(func(seq *vk.Sequence) error {
			return r.lib.Gemm(seq, v, false, false, s.m, s.n, s.k, 1, bufs[0], bufs[1], 0, bufs[2], 1, 0, 0, 0)
		}, bufs...)
	}}
}

// sgemmReference is SGEMM 1024 with the device's default variant: the
// matrix speed the conv2d and attention rows are compared with.
func (r *runner) sgemmReference() *Case {
	c := r.sgemmCase(kernels.GemmAuto, gemmShape{1024, 1024, 1024})
	c.Note = "the device's matrix-product speed, reference of the conv2d and attention rows"
	return c
}

// gonumCases time blas32.Gemm (pure Go, parallel over GOMAXPROCS) on the
// host CPU at the SGEMM shapes: the CPU reference of the SGEMM rows.
func (r *runner) gonumCases() []*Case {
	var out []*Case
	for _, s := range r.gemmShapes() {
		out = append(out, r.gonumCase(s))
	}
	return out
}

func (r *runner) gonumCase(s gemmShape) *Case {
	return &Case{Op: "sgemm", Shape: s.String(), Variant: "gonum blas32", FLOPs: s.flops(),
		Device: fmt.Sprintf("host CPU, %d threads", runtime.GOMAXPROCS(0)), prepare: func() (*Replay, error) {
			a := blas32.General{Rows: s.m, Cols: s.k, Stride: s.k, Data: r.randoms(s.m * s.k)}
			b := blas32.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: r.randoms(s.k * s.n)}
			c := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: make([]float32, s.m*s.n)}
			return hostReplay(func() error {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
				return nil
			}), nil
		}}
}
