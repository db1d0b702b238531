package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	x := []float64{1, 2.5, -3, 4, 5, 6.125}
	for _, c := range []struct {
		name string
		save func(string, []float64, int, int) error
	}{{"f32.npy", SaveNPY}, {"f64.npy", SaveNPY64}} {
		p := filepath.Join(dir, c.name)
		if err := c.save(p, x, 3, 2); err != nil {
			t.Fatal(err)
		}
		pts, err := LoadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if pts.N != 3 || pts.D != 2 {
			t.Fatalf("%s: shape (%d, %d)", c.name, pts.N, pts.D)
		}
		for i := range x {
			if pts.X[i] != x[i] {
				t.Fatalf("%s: %v", c.name, pts.X)
			}
		}
	}
}

// rawNPY builds a version 1.0 .npy file by hand.
func rawNPY(descr string, fortran bool, shape string, data any) []byte {
	fo := "False"
	if fortran {
		fo = "True"
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, fo, shape)
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	binary.Write(&b, binary.LittleEndian, data)
	return b.Bytes()
}

func TestNPYFortranOrder(t *testing.T) {
	// (2, 3) array [[1,2,3],[4,5,6]] stored column-major.
	raw := rawNPY("<f8", true, "(2, 3)", []float64{1, 4, 2, 5, 3, 6})
	pts, err := ReadNPY(bytes.NewReader(raw), "f.npy")
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2, 3, 4, 5, 6}
	for i := range want {
		if pts.X[i] != want[i] {
			t.Fatalf("got %v", pts.X)
		}
	}
}

func TestNPYErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"1d.npy", rawNPY("<f4", false, "(3,)", []float32{1, 2, 3}), "1d.npy: array has shape (3,), want (N, D)"},
		{"3d.npy", rawNPY("<f4", false, "(1, 2, 1)", []float32{1, 2}), "3d.npy: array has shape (1, 2, 1)"},
		{"empty.npy", rawNPY("<f4", false, "(0, 2)", []float32{}), "empty.npy: array has shape (0, 2)"},
		{"int.npy", rawNPY("<i8", false, "(2, 1)", []int64{1, 2}), `int.npy: dtype "<i8" of shape (2, 1) is not supported: want float32 or float64 (<f4, >f4, <f8, >f8)`},
		{"nan.npy", rawNPY("<f8", false, "(2, 2)", []float64{1, 2, 3, nan()}), "nan.npy: value at row 1, column 1 is NaN"},
		{"text.npy", []byte("x,y\n1,2\n"), "text.npy: not a .npy file"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, c.raw, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadNPY(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := LoadNPY(filepath.Join(dir, "missing.npy")); err == nil || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file error %v", err)
	}
	if err := SaveNPY(filepath.Join(dir, "bad.npy"), []float64{1, 2, 3}, 2, 2); err == nil || !strings.Contains(err.Error(), "shape (2, 2)") {
		t.Errorf("bad save error %v", err)
	}
	// a failed save leaves an existing file intact
	p := filepath.Join(dir, "keep.npy")
	if err := SaveNPY(p, []float64{1, 2}, 1, 2); err != nil {
		t.Fatal(err)
	}
	_ = SaveNPY(p, []float64{1}, 1, 2)
	if pts, err := LoadNPY(p); err != nil || pts.X[1] != 2 {
		t.Errorf("existing file damaged: %v %v", pts, err)
	}
}

func nan() float64 { var z float64; return z / z }
