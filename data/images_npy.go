package data

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
)

// NPYLayout says how a rank-4 image array is laid out.
type NPYLayout string

const (
	// LayoutAuto takes (N, C, H, W) when dimension 1 is 1, 3 or 4 and
	// dimension 3 is not, (N, H, W, C) in the opposite case, and refuses to
	// guess otherwise.
	LayoutAuto NPYLayout = ""
	LayoutNCHW NPYLayout = "NCHW"
	LayoutNHWC NPYLayout = "NHWC"
)

// LoadImagesNPY reads an image array from a .npy file: shape (N, H, W)
// (one channel), (N, H, W, C) or (N, C, H, W) (see NPYLayout), dtype uint8
// (pixel levels) or float32/float64 in [0, 1] (rounded to the nearest of 256
// levels, as writing a PNG does). labelsPath, unless "", is a 1-D integer
// .npy of N labels >= 0; its classes are unnamed. Every error is one line
// naming the file.
func LoadImagesNPY(path, labelsPath string, layout NPYLayout) (*Images, error) {
	raw, err := readFileForNPY(path)
	if err != nil {
		return nil, err
	}
	im, err := ReadImagesNPY(bytes.NewReader(raw), int64(len(raw)), path, layout)
	if err != nil {
		return nil, err
	}
	if labelsPath == "" {
		return im, nil
	}
	raw, err = readFileForNPY(labelsPath)
	if err != nil {
		return nil, err
	}
	labels, classes, err := readLabelsNPY(bytes.NewReader(raw), int64(len(raw)), labelsPath, im.N)
	if err != nil {
		return nil, err
	}
	im.Labels, im.Classes = labels, make([]string, classes)
	return im, nil
}

func readFileForNPY(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a .npy file", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return raw, nil
}

// ReadImagesNPY is LoadImagesNPY's image part from r, which holds size
// bytes; name labels errors.
func ReadImagesNPY(r io.Reader, size int64, name string, layout NPYLayout) (*Images, error) {
	var shape imageShape
	h, dt, raw, err := readNPYArray(r, size, name, npyImageDtypes, func(s []int64) error {
		var err error
		shape, err = imageShapeOf(s, layout)
		return err
	})
	if err != nil {
		return nil, err
	}
	n := int(h.shape[0])
	im := &Images{N: n, C: shape.c, H: shape.h, W: shape.w, Pixels: make([]uint8, len(raw)/dt.size)}
	for i := range im.Pixels {
		b := raw[i*dt.size:]
		if dt.size == 1 { // 8-bit levels are stored as they are
			im.Pixels[shape.toNCHW(i)] = b[0]
			continue
		}
		v := dt.float(b)
		if !(v >= 0 && v <= 1) { // also catches NaN
			return nil, fmt.Errorf("%s: value %d is %v, want a float image in [0, 1]", name, i, v)
		}
		im.Pixels[shape.toNCHW(i)] = uint8(math.Round(v * 255))
	}
	return im, nil
}

// imageShape is an image array's geometry and whether it is channels-last.
type imageShape struct {
	c, h, w int
	nhwc    bool
}

// toNCHW maps the file's flat index i to its index in (N, C, H, W) order.
func (s imageShape) toNCHW(i int) int {
	if !s.nhwc {
		return i
	}
	c := i % s.c
	p := i / s.c // (n*H + y)*W + x
	hw := s.h * s.w
	return (p/hw*s.c+c)*hw + p%hw
}

func imageShapeOf(s []int64, layout NPYLayout) (imageShape, error) {
	channels := func(v int64) bool { return v == 1 || v == 3 || v == 4 }
	switch len(s) {
	case 3:
		if layout != LayoutAuto {
			return imageShape{}, fmt.Errorf("array has shape %s, rank 3 (N, H, W), but layout %s was asked for", shapeStr(s), layout)
		}
		return imageShape{c: 1, h: int(s[1]), w: int(s[2])}, nil
	case 4:
		nhwc := layout == LayoutNHWC
		switch layout {
		case LayoutAuto:
			switch {
			case channels(s[1]) && !channels(s[3]):
			case channels(s[3]) && !channels(s[1]):
				nhwc = true
			default:
				return imageShape{}, fmt.Errorf("array of shape %s could be (N, C, H, W) or (N, H, W, C): set the layout to NCHW or NHWC", shapeStr(s))
			}
		case LayoutNCHW, LayoutNHWC:
		default:
			return imageShape{}, fmt.Errorf("layout %q: want NCHW or NHWC", string(layout))
		}
		if nhwc {
			return imageShape{c: int(s[3]), h: int(s[1]), w: int(s[2]), nhwc: true}, nil
		}
		return imageShape{c: int(s[1]), h: int(s[2]), w: int(s[3])}, nil
	}
	return imageShape{}, fmt.Errorf("array has shape %s, want images of rank 3 (N, H, W) or 4 (N, H, W, C) / (N, C, H, W)", shapeStr(s))
}

// readLabelsNPY reads n labels >= 0 from a 1-D integer .npy and returns
// them with the number of classes (the largest label + 1).
func readLabelsNPY(r io.Reader, size int64, name string, n int) ([]int, int, error) {
	_, dt, raw, err := readNPYArray(r, size, name, npyLabelDtypes, func(s []int64) error {
		if len(s) != 1 || s[0] != int64(n) {
			return fmt.Errorf("labels have shape %s, want (%d,), one per image", shapeStr(s), n)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	const maxClasses = 1 << 16
	labels := make([]int, n)
	classes := 0
	for i := range labels {
		b := raw[i*dt.size:]
		var u uint64
		switch dt.size {
		case 1:
			u = uint64(b[0])
		case 2:
			u = uint64(dt.order.Uint16(b))
		case 4:
			u = uint64(dt.order.Uint32(b))
		default:
			u = dt.order.Uint64(b)
		}
		v := int64(u)
		if dt.kind == 'i' { // sign-extend from the value's width
			shift := 64 - 8*dt.size
			v = int64(u<<shift) >> shift
		}
		if v < 0 || v >= maxClasses {
			return nil, 0, fmt.Errorf("%s: label %d is %d, want 0..%d", name, i, v, maxClasses-1)
		}
		labels[i] = int(v)
		classes = max(classes, int(v)+1)
	}
	return labels, classes, nil
}

// readNPYArray reads a C-order .npy array of any rank whose dtype is in
// dtypes and whose shape checkShape accepts, every dimension >= 1, and
// returns its data bytes. The data must be exactly as long as the shape
// says. Errors are one line naming the file.
func readNPYArray(r io.Reader, size int64, name string, dtypes []npyDtype, checkShape func([]int64) error) (*npyHeader, npyDtype, []byte, error) {
	fail := func(err error) (*npyHeader, npyDtype, []byte, error) {
		return nil, npyDtype{}, nil, fmt.Errorf("%s: %v", name, err)
	}
	h, err := readNPYHeader(r, size)
	if err != nil {
		return fail(err)
	}
	dt, ok := lookupDtypeIn(dtypes, h.descr)
	if !ok {
		return fail(fmt.Errorf("dtype %q of shape %s is not supported (want one of %s)", clip(h.descr), shapeStr(h.shape), dtypeListOf(dtypes)))
	}
	if h.fortran {
		return fail(fmt.Errorf("array of shape %s is in Fortran order; save it in C order (np.ascontiguousarray)", shapeStr(h.shape)))
	}
	for i, v := range h.shape {
		if v < 1 {
			return fail(fmt.Errorf("array has shape %s: dimension %d is 0", shapeStr(h.shape), i))
		}
	}
	if err := checkShape(h.shape); err != nil {
		return fail(err)
	}
	need, ok := shapeBytes(h.shape, dt.size)
	have := size - h.size
	switch {
	case !ok:
		return fail(fmt.Errorf("shape %s of %s is over the %d-byte limit", shapeStr(h.shape), dt.name, int64(maxImageBytes)))
	case have < need:
		return fail(fmt.Errorf("truncated: shape %s of %s needs %d data bytes, the file has %d", shapeStr(h.shape), dt.name, need, have))
	case have > need:
		return fail(fmt.Errorf("%d bytes past the end of the data: shape %s of %s needs %d data bytes", have-need, shapeStr(h.shape), dt.name, need))
	}
	raw := make([]byte, need) // at most the file's size: checked above
	if got, err := io.ReadFull(r, raw); err != nil {
		return fail(fmt.Errorf("reading %s data: got %d of %d bytes: %v", dt.name, got, need, err))
	}
	return h, dt, raw, nil
}

// shapeBytes is the product of shape times size, and false when it is over
// maxImageBytes (checked at each step, so it cannot overflow).
func shapeBytes(shape []int64, size int) (int64, bool) {
	total := uint64(size)
	for _, v := range shape {
		hi, lo := bits.Mul64(total, uint64(v))
		if hi != 0 || lo > maxImageBytes {
			return 0, false
		}
		total = lo
	}
	return int64(total), true
}
