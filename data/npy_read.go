package data

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

// Points is a set of N points in D dimensions, row-major.
type Points struct {
	N, D int
	X    []float64
}

// LoadNPY reads a .npy file holding a float32 or float64 array (dtype '<f4',
// '>f4', '<f8' or '>f8') of shape (N, D), N, D >= 1, C or Fortran order, all
// values finite. The header is checked against the file before it is
// trusted, and the data must be exactly as long as the shape says: a
// truncated file is an error naming the byte counts, never a partly filled
// array. Every error is one line naming the file.
func LoadNPY(path string) (*Points, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a .npy file", path)
	}
	if !st.Mode().IsRegular() { // a pipe or device: its size is unknown
		return ReadNPY(f, path)
	}
	return decodeNPY(bufio.NewReaderSize(f, 1<<16), st.Size(), path)
}

// ReadNPY is LoadNPY from a reader, read to its end; name labels errors.
func ReadNPY(r io.Reader, name string) (*Points, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return decodeNPY(bytes.NewReader(raw), int64(len(raw)), name)
}

// decodeNPY reads a .npy file of size bytes from r.
func decodeNPY(r io.Reader, size int64, name string) (*Points, error) {
	h, err := readNPYHeader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(h.shape) != 2 || h.shape[0] < 1 || h.shape[1] < 1 {
		return nil, fmt.Errorf("%s: array has shape %s, want (N, D) with N, D >= 1", name, shapeStr(h.shape))
	}
	dt, ok := lookupDtype(h.descr)
	if !ok {
		return nil, fmt.Errorf("%s: dtype %q of shape %s is not supported: want float32 or float64 (%s)", name, clip(h.descr), shapeStr(h.shape), dtypeList())
	}
	n, d := h.shape[0], h.shape[1]
	have := size - h.size
	need, overflow := dataBytes(n, d, dt.size)
	switch {
	case overflow:
		return nil, fmt.Errorf("%s: shape (%d, %d) of %s needs more than 2^63 bytes, the file has %d data bytes", name, n, d, dt.name, have)
	case have < need:
		return nil, fmt.Errorf("%s: truncated: shape (%d, %d) of %s needs %d data bytes, the file has %d", name, n, d, dt.name, need, have)
	case have > need:
		return nil, fmt.Errorf("%s: %d bytes past the end of the data: shape (%d, %d) of %s needs %d data bytes, the file has %d", name, have-need, n, d, dt.name, need, have)
	}
	x, err := readValues(r, int(n*d), dt)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if h.fortran {
		x = fromFortran(x, int(n), int(d))
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: value at row %d, column %d is %v", name, i/int(d), i%int(d), v)
		}
	}
	return &Points{N: int(n), D: int(d), X: x}, nil
}

func lookupDtype(descr string) (npyDtype, bool) { return lookupDtypeIn(npyDtypes, descr) }

func lookupDtypeIn(list []npyDtype, descr string) (npyDtype, bool) {
	for _, dt := range list {
		if dt.descr == descr {
			return dt, true
		}
	}
	return npyDtype{}, false
}

func dtypeList() string { return dtypeListOf(npyDtypes) }

func dtypeListOf(list []npyDtype) string {
	s := ""
	for i, dt := range list {
		if i > 0 {
			s += ", "
		}
		s += dt.descr
	}
	return s
}

// dataBytes is n*d*size, and whether it overflows an int64.
func dataBytes(n, d int64, size int) (int64, bool) {
	hi, nd := bits.Mul64(uint64(n), uint64(d))
	if hi != 0 {
		return 0, true
	}
	hi, b := bits.Mul64(nd, uint64(size))
	if hi != 0 || b > math.MaxInt64 {
		return 0, true
	}
	return int64(b), false
}

// readValues reads count values of type dt, in chunks so that a short read
// (the file shrank after its size was taken) is reported, not zero-filled.
func readValues(r io.Reader, count int, dt npyDtype) ([]float64, error) {
	x := make([]float64, count)
	buf := make([]byte, 1<<16)
	per := len(buf) / dt.size
	for done := 0; done < count; {
		k := min(per, count-done)
		chunk := buf[:k*dt.size]
		if got, err := io.ReadFull(r, chunk); err != nil {
			return nil, fmt.Errorf("reading %s data: got %d of %d bytes: %v", dt.name, done*dt.size+got, count*dt.size, err)
		}
		for i := range k {
			x[done+i] = dt.float(chunk[i*dt.size:])
		}
		done += k
	}
	return x, nil
}

// fromFortran turns an (n, d) array stored column-major into row-major.
func fromFortran(x []float64, n, d int) []float64 {
	t := make([]float64, n*d)
	for j := 0; j < d; j++ {
		for i := 0; i < n; i++ {
			t[i*d+j] = x[j*n+i]
		}
	}
	return t
}

// shapeStr prints a shape as Python does, only the first eight dimensions
// of a long one.
func shapeStr(s []int64) string {
	const show = 8
	if len(s) == 1 {
		return fmt.Sprintf("(%d,)", s[0])
	}
	var parts []string
	for i, v := range s {
		if i == show {
			parts = append(parts, fmt.Sprintf("... (%d dimensions)", len(s)))
			break
		}
		parts = append(parts, strconv.FormatInt(v, 10))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
