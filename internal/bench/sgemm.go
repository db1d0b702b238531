package bench

import (
	"fmt"

	"github.com/sdevk/sdevk/vk"
	"github.com/sdevk/sdevk/vk/kernels"
)

type gemmShape struct{ m, n, k int }

func (s gemmShape) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k) }

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

// sgemm times C = A B for every variant at every shape (naive skipped at
// 2048, where one run takes seconds).
func (r *runner) sgemm() ([]Row, error) {
	var rows []Row
	for _, s := range r.gemmShapes() {
		a, err := r.buffer(s.m * s.k)
		if err != nil {
			return nil, err
		}
		b, err := r.buffer(s.k * s.n)
		if err != nil {
			a.Free()
			return nil, err
		}
		c, err := r.dev.NewBufferF32(s.m * s.n)
		if err != nil {
			a.Free()
			b.Free()
			return nil, err
		}
		for _, v := range []kernels.GemmVariant{kernels.GemmReg, kernels.GemmTiled, kernels.GemmNaive} {
			if v == kernels.GemmNaive && s.m*s.n*s.k > 1024*1024*1024 {
				continue
			}
			row, err := r.sgemmRow(v, s, a, b, c)
			if err != nil {
				a.Free()
				b.Free()
				c.Free()
				return nil, err
			}
			rows = append(rows, row)
		}
		a.Free()
		b.Free()
		c.Free()
	}
	return rows, nil
}

func (r *runner) sgemmRow(v kernels.GemmVariant, s gemmShape, a, b, c *vk.Buffer) (Row, error) {
	seq, err := r.record(true, func(seq *vk.Sequence) error {
		return r.lib.Gemm(seq, v, false, false, s.m, s.n, s.k, 1, a, b, 0, c, 1, 0, 0, 0)
	})
	if err != nil {
		return Row{}, err
	}
	defer seq.Destroy()
	ms, err := r.gpuTimes(seq)
	if err != nil {
		return Row{}, err
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	return row("sgemm", s.String(), v.String(), r.dev.Info.Name, ms, flops, 0), nil
}
