package data

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLoadNPYArray reads any rank, and refuses a shape the file cannot
// hold before allocating it.
func TestLoadNPYArray(t *testing.T) {
	dir := t.TempDir()
	write := func(name, dict string, data []byte) string {
		h := dict + strings.Repeat(" ", (64-(10+len(dict)+1)%64)%64) + "\n"
		b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
		binary.LittleEndian.PutUint16(b[8:], uint16(len(h)))
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(append(b, h...), data...), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	vals := make([]byte, 0, 24)
	for i := range 6 {
		vals = binary.LittleEndian.AppendUint32(vals, uint32(0x3f800000+i<<20))
	}
	p := write("ok.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }", vals)
	shape, x, err := LoadNPYArray(p)
	if err != nil || !slices.Equal(shape, []int{1, 2, 3}) || len(x) != 6 || x[0] != 1 {
		t.Fatalf("LoadNPYArray: shape %v, %d values (%v), %v", shape, len(x), x, err)
	}
	for name, dict := range map[string]string{
		"huge.npy":  "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000000, 2), }",
		"short.npy": "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }",
		"int.npy":   "{'descr': '<i4', 'fortran_order': False, 'shape': (6,), }",
	} {
		p := write(name, dict, vals)
		if _, _, err := LoadNPYArray(p); err == nil || !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line naming the file", name, err)
		}
	}
}
