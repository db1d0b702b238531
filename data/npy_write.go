package data

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// SaveNPYStream writes an (n, d) float32 .npy file whose values fill hands
// to put in row-major order, in as many calls as it likes (a sampler's
// batches), so the values never need to be in memory at once. The file is
// written through a temporary and appears only when fill returned with all
// n*d values put; an error of fill or put leaves no file.
func SaveNPYStream(path string, n, d int, fill func(put func(x []float64) error) error) error {
	return saveNPYStream(path, n, d, 4, fill)
}

// SaveNPYStreamShape is SaveNPYStream for an array of any shape (n, ...),
// such as images (N, C, H, W).
func SaveNPYStreamShape(path string, shape []int, fill func(put func(x []float64) error) error) error {
	if len(shape) < 2 {
		return fmt.Errorf("%s: cannot write shape %v (want at least 2 dimensions)", path, shape)
	}
	d := 1
	for _, v := range shape[1:] {
		d *= v
	}
	return writeNPYStream(path, shape[0], d, 4, encodeNPYHeaderShape(shape, 4), fill)
}

// SaveNPYArray writes v as a little-endian float32 .npy array of the given
// shape (any rank >= 1), atomically: the array LoadNPYArray reads.
func SaveNPYArray(path string, shape []int, v []float32) error {
	count := 1
	for _, d := range shape {
		if d < 1 {
			return fmt.Errorf("%s: cannot write shape %v", path, shape)
		}
		count *= d
	}
	if len(shape) == 0 || count != len(v) {
		return fmt.Errorf("%s: %d values do not fill shape %v", path, len(v), shape)
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		buf := encodeNPYHeaderShape(shape, 4)
		for _, x := range v {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		_, err := w.Write(buf)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// saveNPYStream writes an (n, d) .npy file of float32 (size 4) or float64
// (size 8) values.
func saveNPYStream(path string, n, d, size int, fill func(put func(x []float64) error) error) error {
	return writeNPYStream(path, n, d, size, encodeNPYHeader(n, d, size), fill)
}

// writeNPYStream writes header, then the n*d values fill puts.
func writeNPYStream(path string, n, d, size int, header []byte, fill func(put func(x []float64) error) error) error {
	if n < 1 || d < 1 {
		return fmt.Errorf("%s: cannot write shape (%d, %d)", path, n, d)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := w.Write(header); err != nil {
			return err
		}
		left := n * d
		var buf []byte
		put := func(x []float64) error {
			if len(x) > left {
				return fmt.Errorf("%d values past the (%d, %d) shape", len(x)-left, n, d)
			}
			left -= len(x)
			buf = encodeLE(buf[:0], x, size)
			_, err := w.Write(buf)
			return err
		}
		if err := fill(put); err != nil {
			return err
		}
		if left > 0 {
			return fmt.Errorf("%d of the %d values of the (%d, %d) shape were never given", left, n*d, n, d)
		}
		return nil
	})
}

// encodeNPYHeader is the version 1.0 header of a C-order (n, d) array of
// little-endian floats of size bytes, padded to a multiple of 64 bytes.
func encodeNPYHeader(n, d, size int) []byte { return encodeNPYHeaderShape([]int{n, d}, size) }

// encodeNPYHeaderShape is the header of a C-order array of the given shape;
// a 1-D shape is written as Python's one-tuple, (n,).
func encodeNPYHeaderShape(shape []int, size int) []byte {
	dims := make([]string, len(shape))
	for i, v := range shape {
		dims[i] = fmt.Sprint(v)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '<f%d', 'fortran_order': False, 'shape': (%s), }", size, tuple)
	const prefix = 10 // magic, version, header length
	pad := (64 - (prefix+len(dict)+1)%64) % 64
	h := dict + strings.Repeat(" ", pad) + "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(out[8:], uint16(len(h)))
	return append(out, h...)
}

// encodeLE appends x as little-endian float32 (size 4) or float64 values.
func encodeLE(dst []byte, x []float64, size int) []byte {
	for _, v := range x {
		if size == 4 {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(v)))
		} else {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
		}
	}
	return dst
}
