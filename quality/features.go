package quality

import "fmt"

// Matrix is N rows of D float64 values, row-major: features or logits.
type Matrix struct {
	N, D int
	X    []float64
}

// Row returns row i (a view).
func (m Matrix) Row(i int) []float64 { return m.X[i*m.D : (i+1)*m.D] }

// check says what is wrong with m for a metric that needs at least minRows
// rows.
func (m Matrix) check(what string, minRows int) error {
	switch {
	case m.N < minRows:
		return fmt.Errorf("quality: %s: %d rows, need at least %d", what, m.N, minRows)
	case m.D < 1 || len(m.X) != m.N*m.D:
		return fmt.Errorf("quality: %s: %d values for %d x %d", what, len(m.X), m.N, m.D)
	}
	return nil
}
