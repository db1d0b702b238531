package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"codeberg.org/sbinet/npyio"
)

// Points is a set of N points in D dimensions, row-major.
type Points struct {
	N, D int
	X    []float64
}

// LoadNPY reads a .npy file holding a float32 or float64 array of shape
// (N, D), N, D >= 1, C or Fortran order, all values finite. Errors name the
// file and, where it is the problem, the shape or dtype found.
func LoadNPY(path string) (*Points, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	return ReadNPY(bufio.NewReader(f), path)
}

// ReadNPY is LoadNPY from a reader; name labels errors.
func ReadNPY(r io.Reader, name string) (*Points, error) {
	rd, err := npyio.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: not a .npy file: %v", name, err)
	}
	shape := rd.Header.Descr.Shape
	dt := strings.Trim(rd.Header.Descr.Type, "'\"")
	if len(shape) != 2 || shape[0] < 1 || shape[1] < 1 {
		return nil, fmt.Errorf("%s: array has shape %s, want (N, D) with N, D >= 1", name, shapeStr(shape))
	}
	n, d := shape[0], shape[1]
	var x []float64
	switch dt {
	case "<f4", ">f4", "=f4", "|f4":
		var v []float32
		if err := rd.Read(&v); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: reading float32 (%d, %d) data: %v", name, n, d, err)
		}
		x = make([]float64, len(v))
		for i, e := range v {
			x[i] = float64(e)
		}
	case "<f8", ">f8", "=f8", "|f8":
		if err := rd.Read(&x); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: reading float64 (%d, %d) data: %v", name, n, d, err)
		}
	default:
		return nil, fmt.Errorf("%s: dtype %s, want float32 or float64 (shape %s)", name, dt, shapeStr(shape))
	}
	if len(x) != n*d {
		return nil, fmt.Errorf("%s: shape (%d, %d) needs %d values, file has %d", name, n, d, n*d, len(x))
	}
	if rd.Header.Descr.Fortran {
		t := make([]float64, n*d)
		for j := 0; j < d; j++ {
			for i := 0; i < n; i++ {
				t[i*d+j] = x[j*n+i]
			}
		}
		x = t
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: value at row %d, column %d is %v", name, i/d, i%d, v)
		}
	}
	return &Points{N: n, D: d, X: x}, nil
}

func shapeStr(s []int) string {
	switch len(s) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", s[0])
	}
	out := "("
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprint(v)
	}
	return out + ")"
}

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
