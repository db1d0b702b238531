package bench

import (
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gonum times blas32.Gemm (pure Go, parallel over GOMAXPROCS) on the host
// CPU at the SGEMM shapes: the CPU reference for the SGEMM rows.
func (r *runner) gonum() ([]Row, error) {
	device := fmt.Sprintf("host CPU, %d threads", runtime.GOMAXPROCS(0))
	var rows []Row
	for _, s := range r.gemmShapes() {
		a := blas32.General{Rows: s.m, Cols: s.k, Stride: s.k, Data: r.randoms(s.m * s.k)}
		b := blas32.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: r.randoms(s.k * s.n)}
		c := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: make([]float32, s.m*s.n)}
		ms, err := r.wallTimes(func() error {
			blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		rows = append(rows, row("sgemm", s.String(), "gonum blas32", device, ms, flops, 0))
	}
	return rows, nil
}
