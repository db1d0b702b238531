package data

import (
	"fmt"
	"io"

	"codeberg.org/sbinet/npyio"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// SaveNPY writes the n x d points x as a float32 .npy file of shape (n, d).
// The file is written to a temporary file in the same directory and renamed,
// so an existing file is never left half-written.
func SaveNPY(path string, x []float64, n, d int) error {
	if err := checkShape(path, x, n, d); err != nil {
		return err
	}
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = make([]float32, d)
		for j := range rows[i] {
			rows[i][j] = float32(x[i*d+j])
		}
	}
	return writeAtomic(path, rows)
}

// SaveNPY64 is SaveNPY with float64 values.
func SaveNPY64(path string, x []float64, n, d int) error {
	if err := checkShape(path, x, n, d); err != nil {
		return err
	}
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = x[i*d : (i+1)*d]
	}
	return writeAtomic(path, rows)
}

func checkShape(path string, x []float64, n, d int) error {
	if n < 1 || d < 1 || len(x) != n*d {
		return fmt.Errorf("%s: cannot write %d values as shape (%d, %d)", path, len(x), n, d)
	}
	return nil
}

func writeAtomic(path string, v any) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return npyio.Write(w, v) }); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
