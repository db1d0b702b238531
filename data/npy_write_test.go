package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sdevk/sdevk/internal/atomicfile"
)

// TestSaveNPYStream: values put in pieces read back as one (n, d) array;
// a short or long fill writes nothing; the header is padded to 64 bytes.
func TestSaveNPYStream(t *testing.T) {
	dir := t.TempDir()
	const n, d = 7, 3
	x := make([]float64, n*d)
	for i := range x {
		x[i] = float64(i)*0.25 - 2
	}
	path := filepath.Join(dir, "s.npy")
	err := SaveNPYStream(path, n, d, func(put func([]float64) error) error {
		for _, cut := range [][2]int{{0, 5}, {5, 5}, {5, 20}, {20, 21}} {
			if err := put(x[cut[0]:cut[1]]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadNPY(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.N != n || p.D != d {
		t.Fatalf("read back (%d, %d)", p.N, p.D)
	}
	for i := range x {
		if p.X[i] != x[i] {
			t.Fatalf("value %d: %v, want %v", i, p.X[i], x[i])
		}
	}
	if h := encodeNPYHeader(500_000_000, 2, 4); len(h)%64 != 0 || h[len(h)-1] != '\n' {
		t.Errorf("header of %d bytes: %q", len(h), h)
	}
	for _, tc := range []struct {
		name string
		fill func(put func([]float64) error) error
		want string
	}{
		{"short", func(put func([]float64) error) error { return put(x[:20]) }, "1 of the 21 values"},
		{"long", func(put func([]float64) error) error { return put(append(x, 1)) }, "1 values past"},
		{"failed", func(put func([]float64) error) error { put(x[:3]); return errors.New("sampler diverged") }, "sampler diverged"},
	} {
		other := filepath.Join(dir, tc.name+".npy")
		err := SaveNPYStream(other, n, d, tc.fill)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
		if _, err := os.Stat(other); err == nil {
			t.Errorf("%s: a file was written", tc.name)
		}
	}
}

// TestSaveNPYFullDisk: every writer of .npy files, out of space at any
// point, keeps the earlier file and leaves no temporary.
func TestSaveNPYFullDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.npy")
	x := make([]float64, 2*100)
	if err := SaveNPY(path, x, 100, 2); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	writers := map[string]func() error{
		"SaveNPY":   func() error { return SaveNPY(path, x, 100, 2) },
		"SaveNPY64": func() error { return SaveNPY64(path, x, 100, 2) },
		"SaveNPYStream": func() error {
			return SaveNPYStream(path, 100, 2, func(put func([]float64) error) error { return put(x) })
		},
	}
	for name, write := range writers {
		for _, n := range []int64{0, 10, 128, 900} {
			restore := atomicfile.SimulateFullDisk(n)
			err := write()
			restore()
			if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp") {
				t.Errorf("%s, full after %d bytes: %v", name, n, err)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("%s, full after %d bytes: the earlier file changed", name, n)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%s, full after %d bytes: %d entries", name, n, len(entries))
			}
		}
	}
}

func TestSaveNPYArrayRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, shape := range [][]int{{5}, {2, 3}, {2, 1, 2, 3}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i)*0.5 - 1
		}
		path := filepath.Join(dir, fmt.Sprint(len(shape), ".npy"))
		if err := SaveNPYArray(path, shape, v); err != nil {
			t.Fatal(err)
		}
		gotShape, got, err := LoadNPYArray(path)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(gotShape, shape) || !slices.Equal(got, v) {
			t.Errorf("shape %v: read back %v %v", shape, gotShape, got)
		}
	}
	if err := SaveNPYArray(filepath.Join(dir, "bad.npy"), []int{2, 2}, make([]float32, 3)); err == nil {
		t.Error("3 values for shape (2, 2) were written")
	}
}
