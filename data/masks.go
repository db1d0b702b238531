package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
)

// Mask marks the known pixels of images for inpainting, with score_sde's
// convention: true (1) is a known pixel, kept from the data; false is
// generated. A pixel's mark holds for all its channels. Known holds H*W
// marks shared by every image, or N*H*W, one mask per image.
type Mask struct {
	H, W  int
	Known []bool
}

// PerImage reports whether m holds a mask per image.
func (m *Mask) PerImage() bool { return len(m.Known) > m.H*m.W }

// Image returns the marks of image i.
func (m *Mask) Image(i int) []bool {
	if !m.PerImage() {
		return m.Known
	}
	hw := m.H * m.W
	return m.Known[i*hw : (i+1)*hw]
}

// Elements returns the marks of n images of c channels, one per value of
// the (n, c, H, W) batch (the layout of sde.Known's mask), or, for a shared
// mask, one image's c*H*W marks.
func (m *Mask) Elements(n, c int) []bool {
	if !m.PerImage() {
		n = 1
	}
	hw := m.H * m.W
	out := make([]bool, 0, n*c*hw)
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			out = append(out, m.Image(i)...)
		}
	}
	return out
}

// MaskNames are the built-in masks ParseMask knows, besides a file.
var MaskNames = []string{"left-half", "centre-box", "random:P"}

// MaskFor says which images a mask is for: images First .. First+N-1 of a
// data set, of shape (C, H, W); Seed draws random masks.
type MaskFor struct {
	First, N, C, H, W int
	Seed              uint64
}

// ParseMask makes the inpainting mask spec for the images of f:
//   - left-half: keeps the left half of every image, generates the right;
//   - centre-box: generates a centred square of half the side, keeps the
//     rest;
//   - random:P: each pixel of each image known with probability P, one
//     mask per image; image i's is drawn from (Seed, i), so it is the same
//     whatever First and N select;
//   - a .png file (one mask for all: white, level >= 128, is known) or a
//     .npy file of 0s and 1s, (H, W) for all images or (N, H, W) or
//     (N, 1, H, W), one per image, of dtype bool, uint8, float32 or
//     float64.
//
// A file of the wrong shape is an error naming it and both shapes.
func ParseMask(spec string, f MaskFor) (*Mask, error) {
	n, c, h, w := f.N, f.C, f.H, f.W
	m := &Mask{H: h, W: w, Known: make([]bool, h*w)}
	switch {
	case spec == "left-half":
		for y := 0; y < h; y++ {
			for x := 0; x < w/2; x++ {
				m.Known[y*w+x] = true
			}
		}
	case spec == "centre-box" || spec == "center-box":
		bh, bw := h/2, w/2
		y0, x0 := (h-bh)/2, (w-bw)/2
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.Known[y*w+x] = y < y0 || y >= y0+bh || x < x0 || x >= x0+bw
			}
		}
	case strings.HasPrefix(spec, "random:"):
		p, err := strconv.ParseFloat(strings.TrimPrefix(spec, "random:"), 64)
		if err != nil || !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("mask %q: P of random:P must be a probability in [0, 1]", spec)
		}
		m.Known = make([]bool, 0, n*h*w)
		for i := f.First; i < f.First+n; i++ {
			r := rand.New(rand.NewPCG(f.Seed, 0x6d61736b00000000|uint64(i))) // "mask", image i
			for range h * w {
				m.Known = append(m.Known, r.Float64() < p)
			}
		}
	case strings.EqualFold(filepath.Ext(spec), ".png"):
		return pngMask(spec, c, h, w)
	case strings.EqualFold(filepath.Ext(spec), ".npy"):
		return npyMask(spec, n, c, h, w)
	default:
		return nil, fmt.Errorf("mask %q: want %s, or a .png or .npy mask file", spec, strings.Join(MaskNames, ", "))
	}
	return m, nil
}

// pngMask reads a PNG mask: its first channel, level >= 128 known.
func pngMask(path string, c, h, w int) (*Mask, error) {
	d, err := decodeImageFile(path, FolderOptions{})
	if err != nil {
		return nil, err
	}
	if d.h != h || d.w != w {
		return nil, fmt.Errorf("%s: mask of %dx%d pixels (H, W) = (%d, %d), the images are (C, H, W) = (%d, %d, %d)", path, d.w, d.h, d.h, d.w, c, h, w)
	}
	m := &Mask{H: h, W: w, Known: make([]bool, h*w)}
	for i, v := range d.planes[0].v {
		m.Known[i] = v >= 128
	}
	return m, nil
}

// npyMask reads a .npy mask of 0s and 1s: (H, W) for all images, (N, H, W)
// or (N, 1, H, W) one per image.
func npyMask(path string, n, c, h, w int) (*Mask, error) {
	s64, v, err := readMaskNPY(path)
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(s64))
	for i, v := range s64 {
		shape[i] = int(v)
	}
	ok := false
	switch len(shape) {
	case 2:
		ok = shape[0] == h && shape[1] == w
	case 3:
		ok = shape[0] == n && shape[1] == h && shape[2] == w
	case 4:
		ok = shape[0] == n && shape[1] == 1 && shape[2] == h && shape[3] == w
	}
	if !ok {
		return nil, fmt.Errorf("%s: mask of shape %s, the images are (N, C, H, W) = (%d, %d, %d, %d): want (%d, %d), (%d, %d, %d) or (%d, 1, %d, %d)",
			path, shapeStr(s64), n, c, h, w, h, w, n, h, w, n, h, w)
	}
	m := &Mask{H: h, W: w, Known: make([]bool, len(v))}
	for i, x := range v {
		if x != 0 && x != 1 {
			return nil, fmt.Errorf("%s: value %d is %g; a mask holds 0 (generate) or 1 (known)", path, i, x)
		}
		m.Known[i] = x == 1
	}
	return m, nil
}

// npyMaskDtypes are the dtypes of a .npy mask: numpy's bool and uint8
// (one byte each), and the float types.
var npyMaskDtypes = append([]npyDtype{{"|b1", "bool", 1, binary.LittleEndian, 'b'}}, npyImageDtypes...)

// readMaskNPY reads a .npy mask's shape and values.
func readMaskNPY(path string) ([]int64, []float64, error) {
	raw, err := readFileForNPY(path)
	if err != nil {
		return nil, nil, err
	}
	h, dt, b, err := readNPYArray(bytes.NewReader(raw), int64(len(raw)), path, npyMaskDtypes, func([]int64) error { return nil })
	if err != nil {
		return nil, nil, err
	}
	v := make([]float64, len(b)/dt.size)
	for i := range v {
		v[i] = dt.float(b[i*dt.size:])
	}
	return h.shape, v, nil
}
