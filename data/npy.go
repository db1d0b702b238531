package data

import "fmt"

// SaveNPY writes the n x d points x as a float32 .npy file of shape (n, d).
// The file is written to a temporary file in the same directory and renamed,
// so an existing file is never left half-written.
func SaveNPY(path string, x []float64, n, d int) error {
	if err := checkShape(path, x, n, d); err != nil {
		return err
	}
	return saveNPYStream(path, n, d, 4, func(put func([]float64) error) error { return put(x) })
}

// SaveNPY64 is SaveNPY with float64 values.
func SaveNPY64(path string, x []float64, n, d int) error {
	if err := checkShape(path, x, n, d); err != nil {
		return err
	}
	return saveNPYStream(path, n, d, 8, func(put func([]float64) error) error { return put(x) })
}

func checkShape(path string, x []float64, n, d int) error {
	if n < 1 || d < 1 || len(x) != n*d {
		return fmt.Errorf("%s: cannot write %d values as shape (%d, %d)", path, len(x), n, d)
	}
	return nil
}
