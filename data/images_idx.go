package data

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The IDX format (MNIST, Fashion-MNIST): two zero bytes, a type byte (0x08
// for unsigned bytes, the only type these sets use), the number of
// dimensions, then each dimension as a big-endian uint32, then the values.
// Images files have 3 dimensions (N, H, W), label files 1 (N). The files are
// usually gzipped; both forms are read.

// LoadIDX reads an IDX images file and, unless labelsPath is "", its IDX
// labels file (same N, labels 0..9). The classes are named by classNames
// (nil for unnamed digits 0..9). Every error is one line naming the file.
func LoadIDX(imagesPath, labelsPath string, classNames []string) (*Images, error) {
	im, err := loadIDXFile(imagesPath, 3)
	if err != nil {
		return nil, err
	}
	if labelsPath == "" {
		return im, nil
	}
	lab, err := loadIDXFile(labelsPath, 1)
	if err != nil {
		return nil, err
	}
	if lab.N != im.N {
		return nil, fmt.Errorf("%s: %d labels for the %d images of %s", labelsPath, lab.N, im.N, imagesPath)
	}
	if err := attachLabels(im, lab.Pixels, classNames, labelsPath); err != nil {
		return nil, err
	}
	return im, nil
}

// attachLabels sets im's labels from one byte per image, all < 10 or
// < len(names) when names are given.
func attachLabels(im *Images, raw []uint8, names []string, name string) error {
	classes := names
	if classes == nil {
		classes = make([]string, 10)
		for i := range classes {
			classes[i] = fmt.Sprint(i)
		}
	}
	im.Labels = make([]int, len(raw))
	for i, l := range raw {
		if int(l) >= len(classes) {
			return fmt.Errorf("%s: label %d is %d, want 0..%d", name, i, l, len(classes)-1)
		}
		im.Labels[i] = int(l)
	}
	im.Classes = classes
	return nil
}

func loadIDXFile(path string, rank int) (*Images, error) {
	r, closer, err := openMaybeGzip(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	defer closer()
	return ReadIDX(r, path, rank)
}

// ReadIDX reads an unsigned-byte IDX array of the given rank from r: rank 3
// is (N, H, W) images, returned as one-channel Images; rank 1 is N labels,
// returned as Images with H = W = C = 1 and the labels in Pixels. name
// labels errors.
func ReadIDX(r io.Reader, name string, rank int) (*Images, error) {
	var head [4]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("%s: not an IDX file: it ends after %d bytes, inside the 4-byte magic", name, n)
	}
	if head[0] != 0 || head[1] != 0 || head[2] != 0x08 {
		return nil, fmt.Errorf("%s: not an unsigned-byte IDX file (magic % x, want 00 00 08 %02x)", name, head[:], rank)
	}
	if int(head[3]) != rank {
		return nil, fmt.Errorf("%s: IDX array has %d dimensions, want %d (%s)", name, head[3], rank, map[int]string{1: "labels", 3: "images"}[rank])
	}
	dims := make([]int64, rank)
	raw := make([]byte, 4*rank)
	if n, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("%s: truncated IDX header: %d of %d dimension bytes", name, n, len(raw))
	}
	total := int64(1)
	for i := range dims {
		dims[i] = int64(binary.BigEndian.Uint32(raw[4*i:]))
		if dims[i] == 0 {
			return nil, fmt.Errorf("%s: IDX dimension %d is 0", name, i)
		}
		if dims[i] > maxImageBytes/total { // checked before multiplying: no overflow
			return nil, fmt.Errorf("%s: IDX shape %v is over the %d-byte limit", name, dims, int64(maxImageBytes))
		}
		total *= dims[i]
	}
	px, err := readExactly(r, total, fmt.Sprintf("IDX shape %v", dims))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	im := &Images{N: int(dims[0]), C: 1, H: 1, W: 1, Pixels: px}
	if rank == 3 {
		im.H, im.W = int(dims[1]), int(dims[2])
	}
	return im, nil
}
