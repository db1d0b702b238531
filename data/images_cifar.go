package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CIFAR-10's binary version: each batch file is a run of 10000 records of
// 3073 bytes, a label byte (0..9) then a 32x32 colour image as 1024 red,
// 1024 green and 1024 blue bytes, row-major: already (C, H, W). The files
// have no magic; a file whose length is not a whole number of records, or a
// label over 9, is what a wrong or truncated file looks like.
const (
	cifarSide   = 32
	cifarPixels = 3 * cifarSide * cifarSide
	cifarRecord = 1 + cifarPixels
)

// CIFAR10Classes are CIFAR-10's class names, in label order (as in the
// set's batches.meta.txt).
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// cifarFiles names the batch files of a split.
func cifarFiles(split string) ([]string, error) {
	switch split {
	case "train":
		return []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}, nil
	case "test":
		return []string{"test_batch.bin"}, nil
	}
	return nil, fmt.Errorf("CIFAR-10 split %q: want train or test", split)
}

// LoadCIFAR10 reads a split ("train": data_batch_1.bin..data_batch_5.bin,
// "test": test_batch.bin) from dir, the cifar-10-batches-bin folder of
// cifar-10-binary.tar.gz.
func LoadCIFAR10(dir, split string) (*Images, error) {
	names, err := cifarFiles(split)
	if err != nil {
		return nil, err
	}
	all := &Images{C: 3, H: cifarSide, W: cifarSide, Labels: []int{}, Classes: CIFAR10Classes}
	for _, n := range names {
		path := filepath.Join(dir, n)
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		b, err := ReadCIFAR10(f, path)
		f.Close()
		if err != nil {
			return nil, err
		}
		all.N += b.N
		all.Pixels = append(all.Pixels, b.Pixels...)
		all.Labels = append(all.Labels, b.Labels...)
	}
	return all, nil
}

// ReadCIFAR10 reads one CIFAR-10 binary batch from r; name labels errors.
func ReadCIFAR10(r io.Reader, name string) (*Images, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s: empty file, want CIFAR-10 records of %d bytes", name, cifarRecord)
	}
	if rest := len(raw) % cifarRecord; rest != 0 {
		return nil, fmt.Errorf("%s: truncated or not a CIFAR-10 batch: record %d has %d of %d bytes", name, len(raw)/cifarRecord, rest, cifarRecord)
	}
	n := len(raw) / cifarRecord
	im := &Images{N: n, C: 3, H: cifarSide, W: cifarSide, Pixels: make([]uint8, n*cifarPixels), Labels: make([]int, n), Classes: CIFAR10Classes}
	for i := range n {
		rec := raw[i*cifarRecord : (i+1)*cifarRecord]
		if int(rec[0]) >= len(CIFAR10Classes) {
			return nil, fmt.Errorf("%s: record %d has label %d, want 0..9 (not a CIFAR-10 batch?)", name, i, rec[0])
		}
		im.Labels[i] = int(rec[0])
		copy(im.Pixels[i*cifarPixels:], rec[1:])
	}
	return im, nil
}
