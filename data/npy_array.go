package data

import (
	"bytes"
	"fmt"
	"math"
)

// LoadNPYArray reads a C-order float32 or float64 .npy array of any rank
// (every dimension >= 1, all values finite) as float32 values with its
// shape: the inputs of `sdevk score`, whose x may be rows or images. Like
// LoadNPY it checks the header against the file before trusting it, so a
// crafted shape cannot make it allocate more than the file holds, and every
// error is one line naming the file.
func LoadNPYArray(path string) ([]int, []float32, error) {
	raw, err := readFileForNPY(path)
	if err != nil {
		return nil, nil, err
	}
	h, dt, data, err := readNPYArray(bytes.NewReader(raw), int64(len(raw)), path, npyDtypes, func([]int64) error { return nil })
	if err != nil {
		return nil, nil, err
	}
	shape := make([]int, len(h.shape))
	for i, v := range h.shape {
		shape[i] = int(v)
	}
	x := make([]float32, len(data)/dt.size)
	for i := range x {
		v := dt.float(data[i*dt.size:])
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("%s: value %d is %v", path, i, v)
		}
		x[i] = float32(v)
	}
	return shape, x, nil
}
