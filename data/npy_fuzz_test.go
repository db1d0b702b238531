package data

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
)

// FuzzReadNPY: no input panics; an error is one line naming the file; what
// is accepted is a finite (N, D) array that reads back the same after
// numpy's writer wrote it. The seed corpus is testdata/fuzz/FuzzReadNPY
// (valid files of each dtype, order and version, and the crafted files of
// issue 15).
func FuzzReadNPY(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ReadNPY(bytes.NewReader(raw), "fuzz.npy")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "fuzz.npy: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		if p.N < 1 || p.D < 1 || len(p.X) != p.N*p.D {
			t.Fatalf("accepted shape (%d, %d) with %d values", p.N, p.D, len(p.X))
		}
		rows := make([][]float64, p.N)
		for i := range rows {
			rows[i] = p.X[i*p.D : (i+1)*p.D]
			for _, v := range rows[i] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("accepted a non-finite value %v", v)
				}
			}
		}
		var buf bytes.Buffer
		if err := npyio.Write(&buf, rows); err != nil {
			t.Fatal(err)
		}
		q, err := ReadNPY(&buf, "again.npy")
		if err != nil {
			t.Fatalf("cannot read back what was accepted: %v", err)
		}
		for i := range p.X {
			if q.X[i] != p.X[i] {
				t.Fatalf("value %d read back as %v, was %v", i, q.X[i], p.X[i])
			}
		}
	})
}
