package data

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// Images is an image data set held as 8-bit pixel levels, the form every
// supported source stores (IDX, CIFAR-10, PNG, JPEG, uint8 .npy) and the
// form score_sde's uniform dequantisation starts from. Pixels holds N images
// of C channels, H rows and W columns, laid out (N, C, H, W) row-major, the
// layout sdevk's samples are written in. Labels is nil for an unlabelled set,
// otherwise N class indices into Classes (whose names may be empty when the
// source has none).
type Images struct {
	N, C, H, W int
	Pixels     []uint8
	Labels     []int
	Classes    []string
}

// Dim is the number of values in one image, C*H*W.
func (im *Images) Dim() int { return im.C * im.H * im.W }

// Image returns image i's C*H*W pixel levels (a view, not a copy).
func (im *Images) Image(i int) []uint8 {
	d := im.Dim()
	return im.Pixels[i*d : (i+1)*d]
}

// Histogram counts the images of each class; nil for an unlabelled set.
func (im *Images) Histogram() []int {
	if im.Labels == nil {
		return nil
	}
	h := make([]int, len(im.Classes))
	for _, l := range im.Labels {
		h[l]++
	}
	return h
}

// maxImageBytes bounds the pixel data a header may claim before any of it
// is read (16 GiB, far above CIFAR-10's 150 MB): a corrupt count is an
// error, not an allocation.
const maxImageBytes = 1 << 34

// openMaybeGzip opens path for reading, decompressing it when it starts
// with gzip's magic bytes (1f 8b), whatever its name.
func openMaybeGzip(path string) (io.Reader, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("gzip: %v", err)
		}
		return z, f.Close, nil
	}
	return br, f.Close, nil
}

// readExactly reads exactly n bytes and then expects the end of r. It grows
// its buffer as data arrives, so a header claiming far more than the file
// holds costs no more memory than the file. what names the data in errors.
func readExactly(r io.Reader, n int64, what string) ([]byte, error) {
	buf, err := io.ReadAll(io.LimitReader(r, n+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", what, err)
	}
	switch {
	case int64(len(buf)) < n:
		return nil, fmt.Errorf("truncated: %s needs %d bytes, the file has %d", what, n, len(buf))
	case int64(len(buf)) > n:
		return nil, fmt.Errorf("bytes past the end of %s (%d bytes)", what, n)
	}
	return buf, nil
}
